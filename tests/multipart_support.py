"""Builds multipart/form-data bodies for the multipart tests."""

BOUNDARY = 'kitBoundary7MA4YWxk'


def encode(fields=(), files=(), boundary=BOUNDARY):
    """fields: (name, value) pairs; files: (name, filename, data[, type]).

    Returns (body bytes, headers dict)."""
    out = []
    for name, value in fields:
        out.append(('--%s\r\nContent-Disposition: form-data; name="%s"'
                    '\r\n\r\n' % (boundary, name)).encode())
        out.append(value.encode() if isinstance(value, str) else value)
        out.append(b'\r\n')
    for item in files:
        name, filename, data = item[0], item[1], item[2]
        ctype = item[3] if len(item) > 3 else 'application/octet-stream'
        out.append(('--%s\r\nContent-Disposition: form-data; name="%s"; '
                    'filename="%s"\r\nContent-Type: %s\r\n\r\n'
                    % (boundary, name, filename, ctype)).encode())
        out.append(data)
        out.append(b'\r\n')
    out.append(('--%s--\r\n' % boundary).encode())
    return b''.join(out), {
        'Content-Type': 'multipart/form-data; boundary=' + boundary}


def pattern(size):
    """size bytes of a recognisable, non-repeating-ish pattern."""
    block = bytes(range(256))
    return (block * (size // 256 + 1))[:size]
