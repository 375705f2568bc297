#!/bin/sh
# supervise.sh COMMAND [ARGS...]: run COMMAND, and again 2 s after each time it exits, until this
# script is sent TERM (or INT), which stops COMMAND too. `make run` keeps the job worker and the
# scheduler alive with it; a production server uses systemd units with Restart=always instead.
child=
stop() {
    [ -n "$child" ] && kill "$child" 2>/dev/null && wait "$child" 2>/dev/null
    exit 0
}
trap stop INT TERM
while true; do
    "$@" &
    child=$!
    wait "$child"
    status=$?
    child=
    echo "supervise.sh: '$*' exited with status $status; restarting in 2 s" >&2
    sleep 2 &
    wait $!
done
