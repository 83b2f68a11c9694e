"""Publish/subscribe: fan one update out to many WebSocket and SSE clients.

    from microdot import pubsub

    @app.route('/ws')
    @with_websocket
    async def ws(request, ws):
        pubsub.subscribe(ws, 'sensor')
        while True:
            await ws.receive()      # notices the client going away

    @app.route('/events')
    @with_sse
    async def events(request, sse):
        pubsub.subscribe(sse, 'sensor')
        while True:
            await asyncio.sleep(3600)

    await pubsub.publish('sensor', {'t': 21.5})   # from any task

A WebSocket observer gets ``send(data)`` (a dict or list as JSON text),
an SSE one ``send(data, event=topic)``. Each subscriber has a bounded
queue: ``publish()`` never waits for a client, so one stalled phone does
not hold up the others nor grow the heap. When a queue is full the oldest
message is dropped (``policy='drop'``) or the client is disconnected
(``policy='disconnect'``). Subscriptions end when the client disconnects.
"""
import asyncio
import json


class _Subscriber:
    __slots__ = ('observer', 'topics', 'queue', 'busy', 'dropped')

    def __init__(self, observer):
        self.observer = observer
        self.topics = []
        self.queue = []
        self.busy = False
        self.dropped = 0


class Hub:
    """A set of topics and their subscribers.

    ``queue_size``: messages held per subscriber while it is slow;
    ``policy``: ``'drop'`` (the oldest message goes) or ``'disconnect'``
    (the client goes) when that queue is full.
    """

    def __init__(self, queue_size=8, policy='drop'):
        if policy not in ('drop', 'disconnect'):
            raise ValueError('policy must be "drop" or "disconnect"')
        self.queue_size = queue_size
        self.policy = policy
        self.topics = {}   # topic -> [_Subscriber]
        self._subs = {}    # observer -> _Subscriber

    def subscribe(self, observer, topic):
        """Send what is published on ``topic`` to ``observer``."""
        sub = self._subs.get(observer)
        if sub is None:
            sub = self._subs[observer] = _Subscriber(observer)
            on_close = getattr(observer, 'on_close', None)
            if on_close is not None:
                on_close(self.unsubscribe)
        if topic not in sub.topics:
            sub.topics.append(topic)
            self.topics.setdefault(topic, []).append(sub)

    def unsubscribe(self, observer, topic=None):
        """Stop sending ``topic`` (every topic if None) to ``observer``."""
        sub = self._subs.get(observer)
        if sub is None:
            return
        for t in list(sub.topics) if topic is None else (topic,):
            if t in sub.topics:
                sub.topics.remove(t)
                subs = self.topics.get(t)
                if subs is not None:
                    subs.remove(sub)
                    if not subs:
                        del self.topics[t]
        if not sub.topics:
            del self._subs[observer]
            sub.queue = []

    def subscribers(self, topic):
        """How many observers ``topic`` has."""
        return len(self.topics.get(topic, ()))

    async def publish(self, topic, data):
        """Queue ``data`` for every subscriber of ``topic`` and start
        sending; returns without waiting for slow clients."""
        subs = self.topics.get(topic)
        if not subs:
            return
        ws_data = json.dumps(data) if isinstance(data, (dict, list)) \
            else data
        for sub in list(subs):
            queue = sub.queue
            if len(queue) >= self.queue_size:
                if self.policy == 'disconnect':
                    self._disconnect(sub)
                    continue
                queue.pop(0)
                sub.dropped += 1
            queue.append((topic, data, ws_data))
            if not sub.busy:
                sub.busy = True
                asyncio.create_task(self._flush(sub))
        await asyncio.sleep(0)  # let the senders start

    async def _flush(self, sub):
        observer = sub.observer
        sse = getattr(observer, 'is_sse', False)
        try:
            while sub.queue:
                topic, data, ws_data = sub.queue.pop(0)
                if sse:
                    await observer.send(data, event=topic)
                else:
                    await observer.send(ws_data)
        except Exception:  # the client went away (WebSocketError, OSError)
            self.unsubscribe(observer)
        finally:
            sub.busy = False

    def _disconnect(self, sub):
        self.unsubscribe(sub.observer)
        abort = getattr(sub.observer, 'abort', None)
        if abort is not None:
            abort()


#: The hub behind the module-level functions.
hub = Hub()


def subscribe(observer, topic):
    """:meth:`Hub.subscribe` on the default hub."""
    hub.subscribe(observer, topic)


def unsubscribe(observer, topic=None):
    """:meth:`Hub.unsubscribe` on the default hub."""
    hub.unsubscribe(observer, topic)


async def publish(topic, data):
    """:meth:`Hub.publish` on the default hub."""
    await hub.publish(topic, data)
