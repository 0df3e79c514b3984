"""The ``rvlms`` command line: thin commands over the capability packages."""
