"""Live pages: what changed, told to open pages through Server-Sent Events.

``events`` names what happened and hands it on after the transaction commits;
``hub`` carries it to every process (Redis, PostgreSQL's LISTEN/NOTIFY, or
within the one process on SQLite) and fans it out to the open streams;
``views`` is the stream a page keeps open.
"""
