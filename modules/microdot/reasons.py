"""The standard reason phrases of HTTP status codes, loaded the first time
a response has a status other than 200."""


def reason_phrase(status_code):
    """The standard phrase of an HTTP status code ('N/A' if unknown)."""
    # "code phrase" lines: a string costs far less RAM on a board than a dict
    reasons = """
100 Continue
101 Switching Protocols
200 OK
201 Created
202 Accepted
204 No Content
206 Partial Content
301 Moved Permanently
302 Found
303 See Other
304 Not Modified
307 Temporary Redirect
308 Permanent Redirect
400 Bad Request
401 Unauthorized
403 Forbidden
404 Not Found
405 Method Not Allowed
406 Not Acceptable
408 Request Timeout
409 Conflict
410 Gone
411 Length Required
412 Precondition Failed
413 Payload Too Large
414 URI Too Long
415 Unsupported Media Type
422 Unprocessable Entity
429 Too Many Requests
431 Request Header Fields Too Large
500 Internal Server Error
501 Not Implemented
502 Bad Gateway
503 Service Unavailable
505 HTTP Version Not Supported
"""
    i = reasons.find('\n%d ' % status_code)
    if i < 0:
        return 'N/A'
    return reasons[i + 5:reasons.find('\n', i + 5)]
