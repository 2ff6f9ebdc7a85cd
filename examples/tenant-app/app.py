"""A tenant's notes: a tiny web app whose whole state is one SQLite database.

Python standard library only (http.server, sqlite3). It stands for any non-Java tenant app: the Cellar agent
starts it (`cellar-agent run -- python /app/app.py`), backs its database up and restores it on a fresh volume.

  GET  /            the notes as an HTML page with a form
  POST /notes       add a note: form field or JSON key "text"; answers 303 to / (form) or 201 JSON
  GET  /notes       the notes as JSON, newest first
  GET  /up          200 when the database answers (Fly's health check)

Environment: PORT (default 8080), APP_DATABASE (default /data/app.sqlite3).
"""

import html
import json
import os
import signal
import sqlite3
import sys
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

DATABASE = os.environ.get("APP_DATABASE", "/data/app.sqlite3")
PORT = int(os.environ.get("PORT", "8080"))
MAX_BODY = 64 * 1024


def connect():
    # one connection per request: sqlite3 connections are not shared between the server's threads
    db = sqlite3.connect(DATABASE, timeout=10)
    db.execute("PRAGMA busy_timeout = 10000")
    return db


def migrate():
    os.makedirs(os.path.dirname(os.path.abspath(DATABASE)), exist_ok=True)
    db = connect()
    try:
        # WAL: readers and the agent's VACUUM INTO do not block writers. A database restored by the agent comes
        # back in rollback-journal mode, so this is set on every start, not only when the file is created.
        db.execute("PRAGMA journal_mode = WAL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS notes ("
            " id INTEGER PRIMARY KEY,"
            " text TEXT NOT NULL,"
            " created_at TEXT NOT NULL)"
        )
        db.commit()
    finally:
        db.close()


def list_notes():
    db = connect()
    try:
        rows = db.execute("SELECT id, text, created_at FROM notes ORDER BY id DESC").fetchall()
    finally:
        db.close()
    return [{"id": r[0], "text": r[1], "createdAt": r[2]} for r in rows]


def add_note(text):
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    db = connect()
    try:
        with db:
            cur = db.execute("INSERT INTO notes (text, created_at) VALUES (?, ?)", (text, created))
        return {"id": cur.lastrowid, "text": text, "createdAt": created}
    finally:
        db.close()


class Handler(BaseHTTPRequestHandler):
    server_version = "tenant-notes/1"

    def do_GET(self):
        if self.path == "/up":
            try:
                db = connect()
                try:
                    db.execute("SELECT count(*) FROM notes").fetchone()
                finally:
                    db.close()
            except sqlite3.Error as e:
                return self.send(503, "application/json", json.dumps({"status": "down", "error": str(e)}))
            return self.send(200, "application/json", json.dumps({"status": "ok"}))
        if self.path == "/notes":
            return self.send(200, "application/json", json.dumps({"notes": list_notes()}))
        if self.path == "/":
            items = "".join(
                f"<li>{html.escape(n['text'])} <small>{html.escape(n['createdAt'])}</small></li>"
                for n in list_notes()
            )
            page = (
                "<!doctype html><meta charset=utf-8><title>Notes</title><h1>Notes</h1>"
                '<form method=post action=/notes><input name=text autofocus required> <button>Add</button></form>'
                f"<ul>{items}</ul>"
            )
            return self.send(200, "text/html; charset=utf-8", page)
        return self.send(404, "application/json", json.dumps({"error": "not_found"}))

    def do_POST(self):
        if self.path != "/notes":
            return self.send(404, "application/json", json.dumps({"error": "not_found"}))
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self.send(413, "application/json", json.dumps({"error": "too_large"}))
        body = self.rfile.read(length).decode("utf-8", "replace")
        is_json = (self.headers.get("Content-Type") or "").startswith("application/json")
        try:
            text = json.loads(body).get("text") if is_json else parse_qs(body).get("text", [None])[0]
        except (ValueError, AttributeError):
            text = None
        if not isinstance(text, str) or not text.strip():
            return self.send(400, "application/json", json.dumps({"error": "missing_text"}))
        note = add_note(text.strip())
        if is_json:
            return self.send(201, "application/json", json.dumps(note))
        self.send_response(303)
        self.send_header("Location", "/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send(self, status, content_type, body):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        sys.stderr.write("app: %s %s\n" % (self.address_string(), fmt % args))


def main():
    migrate()
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    server.daemon_threads = True

    def stop(signum, _frame):
        # the agent passes the platform's SIGTERM/SIGINT on; stop serving and exit 0, then the agent takes the
        # last snapshot. shutdown() waits for serve_forever(), so it must run outside the signal handler's thread.
        sys.stderr.write("app: %s, stopping\n" % signal.Signals(signum).name)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stderr.write("app: listening on port %d, database %s\n" % (PORT, DATABASE))
    try:
        server.serve_forever()
    finally:
        server.server_close()
    sys.stderr.write("app: stopped\n")


if __name__ == "__main__":
    main()
