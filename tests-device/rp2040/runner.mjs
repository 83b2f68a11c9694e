// The emulated Raspberry Pi Pico: rp2040js running a MicroPython image,
// its USB CDC serial on this process's stdin/stdout (tests-device/
// rp2040_board.py puts those on a host pty).
//
//   node runner.mjs --bootrom bootrom.bin --firmware firmware.bin
//
// What this runner adds to rp2040js (see docs/testing.md):
// * paced time: emulated time never runs ahead of the wall clock, and when
//   the core sleeps (WFI/WFE) with nothing due before "now", the process
//   sleeps too: an idle board costs no CPU;
// * USB reads held: the device's request for host data is answered only
//   when there is data, instead of with empty packets in a busy loop;
// * flash writes: the boot ROM's flash_range_erase / flash_range_program
//   (which rp2040js does not emulate: the data would be dropped) are done
//   here on the emulated flash, so the board's filesystem keeps files;
// * machine.reset() (the watchdog trigger) restarts the chip with the same
//   flash, as a real reset does; the host side sees a new boot on the
//   same serial port.
import { readFileSync } from 'node:fs';
import { RP2040, USBCDC, ConsoleLogger, LogLevel } from 'rp2040js';

function option(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

if (!process.env.RP2040_LOG) {
  // rp2040js warns on the console about SIO registers it does not model
  // (MicroPython reads two at boot); RP2040_LOG=1 shows them.
  console.warn = () => {};
}

const bootrom = readFileSync(option('--bootrom'));
const firmware = readFileSync(option('--firmware'));
const CYCLE_NANOS = 1e9 / 125e6;
const SLICE_MS = 20;
const FLASH_START = 0x10000000;

let mcu;
let cdc;
let clock;
let romHooks = new Map();
let pendingRead = null; // [endpoint, size] the device asked for
// Host -> device bytes not yet in the CDC FIFO: chunks, and how far into
// the first one we are (no per-byte array shifting).
const hostChunks = [];
let hostOffset = 0;
const hostPending = () => hostChunks.length > 0;
let flash = null; // survives resets
let wallStart = 0;
let nanosAtStart = 0;
let resetRequested = false;

function romTableCode(c1, c2) {
  return c1.charCodeAt(0) | (c2.charCodeAt(0) << 8);
}

function romFunctions(rom) {
  // The boot ROM's function table: a 16-bit pointer at 0x14 to pairs of
  // (16-bit code, 16-bit address), ending with code 0.
  const bytes = new Uint8Array(rom.buffer, rom.byteOffset, rom.byteLength);
  const u16 = (a) => bytes[a] | (bytes[a + 1] << 8);
  const found = new Map();
  for (let p = u16(0x14); p + 3 < bytes.length; p += 4) {
    const code = u16(p);
    if (code === 0) break;
    found.set(code, u16(p + 2) & ~1);
  }
  return found;
}

function returnFromHook() {
  mcu.core.PC = mcu.core.LR & ~1;
}

function installRomHooks() {
  const table = romFunctions(bootrom);
  romHooks = new Map();
  const erase = table.get(romTableCode('R', 'E'));
  const program = table.get(romTableCode('R', 'P'));
  if (erase !== undefined) {
    // flash_range_erase(addr, count, block_size, block_cmd)
    romHooks.set(erase, () => {
      const [addr, count] = mcu.core.registers;
      mcu.flash.fill(0xff, addr, addr + count);
      returnFromHook();
    });
  }
  if (program !== undefined) {
    // flash_range_program(addr, data, count): NOR flash only clears bits.
    romHooks.set(program, () => {
      const [addr, data, count] = mcu.core.registers;
      for (let i = 0; i < count; i++) {
        mcu.flash[addr + i] &= mcu.readUint8(data + i);
      }
      returnFromHook();
    });
  }
}

function feedHost() {
  // Move queued host bytes into the CDC FIFO as room allows, then answer
  // a held read.
  while (hostChunks.length && !cdc.txFIFO.full) {
    const chunk = hostChunks[0];
    cdc.sendSerialByte(chunk[hostOffset++]);
    if (hostOffset >= chunk.length) {
      hostChunks.shift();
      hostOffset = 0;
    }
  }
  if (pendingRead && !cdc.txFIFO.empty) {
    const [endpoint, size] = pendingRead;
    pendingRead = null;
    cdcRead(endpoint, size);
  }
}

let cdcRead = null;

function boot() {
  mcu = new RP2040();
  clock = mcu.clock;
  // rp2040js reports registers it does not model (MicroPython probes a
  // few SIO ones); RP2040_LOG=1 shows them.
  mcu.logger = process.env.RP2040_LOG ? new ConsoleLogger(LogLevel.Warn)
    : { debug() {}, info() {}, warn() {}, error() {} };
  mcu.loadBootrom(new Uint32Array(bootrom.buffer, bootrom.byteOffset,
    bootrom.byteLength >> 2));
  if (flash === null) {
    mcu.flash.set(firmware, 0);
  } else {
    mcu.flash.set(flash, 0);
  }
  flash = mcu.flash;
  installRomHooks();
  cdc = new USBCDC(mcu.usbCtrl);
  cdc.onSerialData = (buffer) => process.stdout.write(Buffer.from(buffer));
  cdc.onDeviceConnected = () => feedHost();
  cdcRead = mcu.usbCtrl.onEndpointRead;
  mcu.usbCtrl.onEndpointRead = (endpoint, size) => {
    if (endpoint === cdc.outEndpoint && cdc.txFIFO.empty) {
      if (hostPending()) {
        feedHost();
      }
      if (cdc.txFIFO.empty) {
        pendingRead = [endpoint, size];
        return;
      }
    }
    cdcRead(endpoint, size);
  };
  mcu.peripherals[0x40058].onWatchdogTrigger = () => {
    resetRequested = true;
  };
  pendingRead = null;
  // Start at the second-stage loader at the start of flash, as the boot
  // ROM does once it finds it valid.
  mcu.core.PC = FLASH_START;
  wallStart = performance.now();
  nanosAtStart = clock.nanos;
}

function step() {
  // Run until emulated time reaches the wall clock or a slice is used.
  const sliceEnd = performance.now() + SLICE_MS;
  const core = mcu.core;
  for (;;) {
    const wallNanos = nanosAtStart + (performance.now() - wallStart) * 1e6;
    for (let i = 0; i < 20000; i++) {
      if (core.waiting) {
        // Asleep until an interrupt: skip to the next timer alarm, but
        // never past the wall clock (0: no alarm is set).
        const next = clock.nanosToNextAlarm;
        const room = wallNanos - clock.nanos;
        if (room <= 0) break;
        if (next <= 0 || next > room) {
          clock.tick(room);
          break;
        }
        clock.tick(next);
        continue;
      }
      const hook = romHooks.get(core.PC);
      if (hook) {
        hook();
        continue;
      }
      clock.tick(core.executeInstruction() * CYCLE_NANOS);
      stats.instr++;
      if (resetRequested) break;
    }
    if (resetRequested) {
      resetRequested = false;
      boot();
      // machine.reset_cause(): a watchdog reset, as on the chip.
      mcu.peripherals[0x40058].reason = 1 << 1;
      return 0;
    }
    if (clock.nanos >= wallNanos) {
      // Ahead of (or at) the wall clock: sleep until the next alarm or
      // for a millisecond, whichever comes first.
      const ahead = (clock.nanos - wallNanos) / 1e6;
      let next = core.waiting ? clock.nanosToNextAlarm / 1e6 : 0;
      if (core.waiting && next <= 0) next = 50;
      return Math.max(1, Math.min(ahead + next, 50));
    }
    if (performance.now() >= sliceEnd) {
      // Behind: let the event loop deliver host bytes, then go on. A
      // board this busy falls behind the wall clock, never ahead.
      nanosAtStart = clock.nanos;
      wallStart = performance.now();
      return 0;
    }
  }
}

let timer = null;

const stats = { instr: 0, sleeps: 0, sleptMs: 0, slices: 0 };
if (process.env.RP2040_STATS) {
  setInterval(() => {
    process.stderr.write(`rp2040: ${JSON.stringify(stats)} emulated ${(clock.nanos / 1e9).toFixed(2)} s\n`);
    stats.instr = stats.sleeps = stats.sleptMs = stats.slices = 0;
  }, 2000);
}

function loop() {
  timer = null;
  const wait = step();
  stats.slices++;
  if (wait > 0) { stats.sleeps++; stats.sleptMs += wait; }
  if (wait > 0) {
    timer = setTimeout(loop, wait);
  } else {
    setImmediate(loop);
  }
}

process.stdin.on('data', (data) => {
  if (data.length) hostChunks.push(data);
  if (cdc) feedHost();
  if (timer !== null) {
    // Asleep: wake up now, the host is waiting for an answer.
    clearTimeout(timer);
    timer = null;
    setImmediate(loop);
  }
});
process.stdin.on('end', () => process.exit(0));

boot();
loop();
