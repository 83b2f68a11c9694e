# Frozen into the image and run by the port after boot.py at every hard or
# soft reset (not in raw REPL sessions). A main.py on the filesystem takes
# over: kitboot runs it in place of the built-in boot sequence.
import kitboot

kitboot.main()
