"""The device's sensors: the resources of the example API.

On a board, replace ``Sensor.read()`` with a real measurement (an ADC pin,
an I2C sensor); here the values are simulated so the example runs
anywhere.
"""
import time


class Sensor:
    """One sensor with a reading and the settings a client may change."""

    def __init__(self, id, name, kind, unit, base):
        self.id = id
        self.name = name
        self.kind = kind
        self.unit = unit
        self.base = base
        self.interval = 10  # seconds between measurements
        self.enabled = True

    def read(self):
        """The current value (simulated: a slow wobble around ``base``)."""
        if hasattr(time, 'ticks_ms'):
            t = time.ticks_ms() // 1000
        else:
            t = int(time.monotonic())
        return round(self.base + ((t + self.id) % 10) / 10, 1)

    def to_dict(self, url_for):
        """The JSON representation, with links (``url_for`` builds them)."""
        return {
            'id': self.id, 'name': self.name, 'kind': self.kind,
            'unit': self.unit,
            'value': self.read() if self.enabled else None,
            'settings': {'interval': self.interval, 'enabled': self.enabled},
            '_links': {'self': url_for('api.get_sensor', id=self.id)},
        }

    def update(self, data):
        """Apply a settings change from a JSON object, all or nothing.

        Returns None, or the message of a 400 for the first bad field:
        ``name`` (text, 1-32 characters), ``interval`` (whole seconds,
        1-3600), ``enabled`` (true/false); other fields are refused.
        """
        if not isinstance(data, dict) or not data:
            return 'expected a JSON object with name, interval or enabled'
        for key in data:
            if key not in ('name', 'interval', 'enabled'):
                return 'unknown field: ' + key
        name = data.get('name', self.name)
        if not isinstance(name, str) or not 1 <= len(name) <= 32:
            return 'name must be text of 1 to 32 characters'
        interval = data.get('interval', self.interval)
        if isinstance(interval, bool) or not isinstance(interval, int) or \
                not 1 <= interval <= 3600:
            return 'interval must be a whole number of seconds, 1 to 3600'
        enabled = data.get('enabled', self.enabled)
        if not isinstance(enabled, bool):
            return 'enabled must be true or false'
        self.name = name
        self.interval = interval
        self.enabled = enabled
        return None


def default_sensors():
    """The sensors of the example board: 12, so the list has pages."""
    kinds = (('temperature', 'C', 21.0), ('humidity', '%', 40.0),
             ('pressure', 'hPa', 1013.0), ('light', 'lx', 300.0))
    sensors = []
    for i in range(12):
        kind, unit, base = kinds[i % 4]
        sensors.append(Sensor(i + 1, '%s-%d' % (kind, i // 4 + 1), kind,
                              unit, base))
    return sensors
