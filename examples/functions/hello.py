"""The smallest instrumented function: run it locally with

lamtrace local invoke hello.handler --path examples/functions --event - --out /tmp/hello <<< '{"name": "Ada"}'
"""

import logging

try:
    from lamtrace import instrument
except ImportError:  # a lamtrace without the wrapper: run plain

    def instrument(handler):
        return handler


logger = logging.getLogger()
logger.setLevel(logging.INFO)


@instrument
def handler(event, context):
    name = event.get("name", "world")
    logger.info("greeting %s", name)
    return {"greeting": f"hello, {name}"}
