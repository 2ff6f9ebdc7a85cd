#!/bin/sh
# Entry point of the server image: runs the server as the unprivileged user "cellar".
# A volume mounted at $BACKUP_DATA_DIR belongs to root when it is new; started as root, this hands it to cellar
# first. Started as another user already (docker run --user ...), it just runs the server.
set -eu
data="${BACKUP_DATA_DIR:-/data}"
if [ "$(id -u)" = "0" ]; then
  mkdir -p "$data"
  if [ "$(stat -c %U "$data")" != "cellar" ]; then
    chown -R cellar:cellar "$data"
  fi
  exec setpriv --reuid=cellar --regid=cellar --init-groups -- java ${JAVA_OPTS:-} -jar /app/cellar-server.jar "$@"
fi
exec java ${JAVA_OPTS:-} -jar /app/cellar-server.jar "$@"
