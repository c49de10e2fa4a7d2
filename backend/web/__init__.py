"""Staff pages served under /staff/: login, content editor, counter console, queue display."""
