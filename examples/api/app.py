"""The device REST API example (see device_api.py and docs/rest.md).

    make run APP=examples/api       # then:
    curl -u admin:change-me -X POST http://localhost:5000/api/tokens
    curl -H 'Authorization: Bearer <token>' http://localhost:5000/api/sensors
"""
from device_api import create_app

app = create_app()

if __name__ == '__main__':
    app.run(port=5000, debug=True)
