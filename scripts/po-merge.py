#!/usr/bin/env python3
"""A git merge driver for gettext catalogues: a three-way merge entry by entry.

Git's line merge turns two branches that each added translations into conflicts all over a
sorted catalogue. This driver merges by message (msgid + context) instead:

- an entry changed (or added, or removed) on one side only takes that side's version;
- an entry changed on both sides keeps ours, and the driver reports it (the merge still
  succeeds; review the printed list);
- the header follows the same rule (theirs when only theirs changed it, else ours).

Set up once per clone (``make setup`` does it):

    git config merge.po3way.name "three-way merge of gettext catalogues"
    git config merge.po3way.driver "python3 scripts/po-merge.py %O %A %B %P"

with ``*.po merge=po3way`` in ``.gitattributes``. Run ``make i18n`` after a merge so the
catalogues match the extracted strings again.
"""

import sys

try:
    from babel.messages.pofile import read_po, write_po
except ImportError:  # git runs the driver with the system python: use the project's virtualenv
    import os
    from pathlib import Path

    venv_python = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "python"
    if venv_python.exists() and sys.executable != str(venv_python):
        os.execv(str(venv_python), [str(venv_python), *sys.argv])  # noqa: S606
    raise


def load(path):
    with open(path, "rb") as handle:
        return read_po(handle)


def signature(message):
    if message is None:
        return None
    return (tuple(message.id) if isinstance(message.id, (list, tuple)) else message.id,
            tuple(message.string) if isinstance(message.string, (list, tuple)) else message.string,
            tuple(sorted(message.flags)), tuple(message.auto_comments), tuple(message.user_comments))


def key(message):
    ident = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return (message.context, ident)


def entries(catalog):
    return {key(m): m for m in catalog if m.id}


def main(base_path, ours_path, theirs_path, name="catalogue"):
    base, ours, theirs = load(base_path), load(ours_path), load(theirs_path)
    b, o, t = entries(base), entries(ours), entries(theirs)
    both_changed = []
    if ours.header_comment == base.header_comment:
        ours.header_comment = theirs.header_comment
    b_head, o_head, t_head = (dict(c.mime_headers) for c in (base, ours, theirs))
    merged = {name: (t_head.get(name, value) if value == b_head.get(name) else value) for name, value in o_head.items()}
    ours.mime_headers = list(merged.items())
    for k in sorted(set(b) | set(o) | set(t), key=lambda item: (item[0] or "", item[1])):
        sb, so, st = signature(b.get(k)), signature(o.get(k)), signature(t.get(k))
        if so == st or st == sb:
            continue  # ours already right
        if so == sb:  # only theirs changed
            if k in o:
                ours.delete(k[1], context=k[0])
            if k in t:
                ours[t[k].id] = t[k]
        else:
            both_changed.append(k)
    with open(ours_path, "wb") as handle:
        write_po(handle, ours, width=0, omit_header=False, sort_output=True, no_location=True,
                 ignore_obsolete=True)
    for context, ident in both_changed:
        label = f"[{context}] {ident!r}" if context else repr(ident)
        print(f"po-merge {name}: changed on both sides, kept ours: {label}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
