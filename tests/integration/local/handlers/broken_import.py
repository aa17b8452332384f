import not_a_module_anywhere  # noqa: F401


def handler(event, context):
    return None
