"""The hello-world JSON app every framework side serves.

Written once against the documented Microdot 2.5 API, so ours and upstream
run exactly the same application code. Whichever `microdot` the server
process put first on sys.path is the one this imports.
"""
from microdot import Microdot

app = Microdot()


@app.route('/')
async def index(request):
    return {'hello': 'world'}
