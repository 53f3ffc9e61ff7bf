"""Babel extractor for the methodology catalogue files (see ``babel.cfg``).

Yields every English text of a catalogue file as a ``pgettext("methodology", text)`` message,
with its place in the file as a comment for translators. Inline translations
(``{en: …, es: …, zh: …}``) carry their own languages and are skipped.
"""

import yaml

from planner.methodology.catalogue import CONTEXT

TEXT_FIELDS = {"title", "short_title", "summary", "intro", "evidence", "remedy", "completion_note", "text"}
LIST_FIELDS = {"questions", "practices"}


def _clean(value: str) -> str:
    return " ".join(value.split())


def _walk(node, trail):
    if isinstance(node, yaml.MappingNode):
        label = trail
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == "key" and isinstance(
                    value_node, yaml.ScalarNode):
                label = trail + [value_node.value]
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
            if name in TEXT_FIELDS and isinstance(value_node, yaml.ScalarNode) and value_node.value.strip():
                yield value_node, label + [name]
            elif name in LIST_FIELDS and isinstance(value_node, yaml.SequenceNode):
                for n, element in enumerate(value_node.value, start=1):
                    if isinstance(element, yaml.ScalarNode) and element.value.strip():
                        yield element, label + [f"{name}[{n}]"]
            else:
                yield from _walk(value_node, label)
    elif isinstance(node, yaml.SequenceNode):
        for element in node.value:
            yield from _walk(element, trail)


def extract_catalogue(fileobj, keywords, comment_tags, options):
    """The Babel extraction method: ``(lineno, funcname, messages, comments)`` per text."""
    root = yaml.compose(fileobj, Loader=yaml.SafeLoader)
    if root is None:
        return
    for node, trail in _walk(root, []):
        yield node.start_mark.line + 1, "pgettext", (CONTEXT, _clean(node.value)), [" › ".join(trail)]
