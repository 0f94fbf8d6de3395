#!/usr/bin/env bash
# deploy-patch.sh — carry a signed graft patch to hosts over ssh, one host
# after another, and apply it there to the running server with
# `graft apply --json`; stops at the first host where it is not applied
# (that host runs on as before, the hosts after it are not touched). A host
# whose server runs the patch's target already counts as done, so a run
# that stopped can be run again as it was once the host is mended.
#
# usage: deploy-patch.sh [options] HOST... -- PATCH
#   --dest PATH          where the patch goes on each host (default /var/lib/kvstore/next.patch)
#   --pid-command CMD    prints the server's pid on the host, where $DEPLOY_HOST is
#                        the host's name (default: systemctl show --property MainPID --value kvstore)
#   --graft PATH         graft on the hosts (default /usr/local/bin/graft)
#   --timeout SECONDS    graft apply's --timeout (default 30)
#
# GRAFT_DEPLOY_SSH is how a command runs on a host, called as
# `$GRAFT_DEPLOY_SSH HOST COMMAND` with the patch on standard input for the
# copy (default: ssh -o BatchMode=yes); GRAFT_DEPLOY_SSH=local runs every
# command here with sh -c, whatever the host (the tests use it).
#
# Prints one line per host: HOST, a tab, applied | already | failed | not
# attempted, a tab, and graft apply's JSON object (or what went wrong before
# it ran); then a summary. Exit status: 0 when every host runs the patch's
# target; 1 when one does not; 2 for a usage error.
set -u

usage() { echo "usage: deploy-patch.sh [--dest PATH] [--pid-command CMD] [--graft PATH] [--timeout S] HOST... -- PATCH" >&2; exit 2; }

ssh_cmd=${GRAFT_DEPLOY_SSH:-ssh -o BatchMode=yes}
dest=/var/lib/kvstore/next.patch
pid_command="systemctl show --property MainPID --value kvstore"
graft=/usr/local/bin/graft
timeout=30
hosts=()
patch=""
while [ $# -gt 0 ]; do
    case $1 in
        --dest|--pid-command|--graft|--timeout) [ $# -ge 2 ] || usage ;;
    esac
    case $1 in
        --dest) dest=$2; shift 2 ;;
        --pid-command) pid_command=$2; shift 2 ;;
        --graft) graft=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --) [ $# -eq 2 ] || usage; patch=$2; shift 2 ;;
        -*) usage ;;
        *) hosts+=("$1"); shift ;;
    esac
done
[ ${#hosts[@]} -gt 0 ] && [ -n "$patch" ] || usage
[ -f "$patch" ] || { echo "deploy-patch.sh: no such file: $patch" >&2; exit 2; }

# A word quoted for the remote shell.
q() { printf "'%s'" "$(printf %s "$1" | sed "s/'/'\\\\''/g")"; }

# Runs COMMAND on HOST, standard input passed on.
remote() { # HOST COMMAND
    if [ "$ssh_cmd" = local ]; then sh -c "$2"; else $ssh_cmd "$1" "$2"; fi
}

# Copies the patch to HOST:$dest, through a temporary file renamed into place.
copy() { # HOST
    remote "$1" "umask 077 && mkdir -p $(q "$(dirname "$dest")") && cat > $(q "$dest.tmp") && mv -f $(q "$dest.tmp") $(q "$dest")" < "$patch"
}

# A field of graft apply's JSON object (a string; graft prints it compact).
field() { # JSON NAME
    printf %s "$1" | sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p"
}

# Whether graft apply refused the patch because the process runs its target already.
already() { # JSON
    local before target
    before=$(field "$1" version_before); target=$(field "$1" target)
    [ "$(field "$1" outcome)" = rejected ] && [ -n "$target" ] && [ "$before" = "$target" ]
}

updated=0
for i in "${!hosts[@]}"; do
    host=${hosts[$i]}
    why=""
    if ! copy "$host"; then why="could not copy the patch to $host:$dest"
    elif ! pid=$(remote "$host" "DEPLOY_HOST=$(q "$host"); $pid_command" < /dev/null) || ! [[ $pid =~ ^[1-9][0-9]*$ ]]; then
        why="no server process on $host (the pid command printed '${pid:-}')"
    fi
    if [ -n "$why" ]; then
        printf '%s\tfailed\t%s\n' "$host" "$why"
    else
        out=$(remote "$host" "$(q "$graft") apply --pid $pid --json --timeout $(q "$timeout") $(q "$dest")" < /dev/null)
        rc=$?
        if [ $rc -eq 0 ] || already "$out"; then
            printf '%s\t%s\t%s\n' "$host" "$([ $rc -eq 0 ] && echo applied || echo already)" "$out"
            updated=$((updated + 1))
            continue
        fi
        printf '%s\tfailed\t%s\n' "$host" "${out:-graft apply exited with status $rc}"
    fi
    for rest in "${hosts[@]:$((i + 1))}"; do printf '%s\tnot attempted\t\n' "$rest"; done
    echo "deploy-patch.sh: stopped at $host: $updated of ${#hosts[@]} hosts run the patch's target"
    exit 1
done
echo "deploy-patch.sh: $updated of ${#hosts[@]} hosts run the patch's target"
