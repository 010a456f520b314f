"""Exit 0 when the PostgreSQL server of the given URL answers (used by `make test`)."""
import sys
from urllib.parse import urlsplit

import psycopg2


def main(url):
    parts = urlsplit(url)
    try:
        psycopg2.connect(
            host=parts.hostname, port=parts.port or 5432, user=parts.username,
            password=parts.password, dbname="postgres", connect_timeout=3,
        ).close()
    except psycopg2.OperationalError:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
