"""The smallest instrumented function. Run it locally with::

echo '{"name": "Ada"}' | lamtrace local invoke hello.handler --path examples/functions --event - --out /tmp/hello
"""

import lamtrace

log = lamtrace.get_logger(__name__)


@lamtrace.instrument
def handler(event, context):
    name = event.get("name", "world")
    log.info("greeting %s", name)
    return {"greeting": f"hello, {name}"}
