"""Uploaded files kept where every web host and worker can read them (see ``storage``)."""
