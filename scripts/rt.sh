#!/usr/bin/env bash
# A throwaway Request Tracker 5 (Debian's request-tracker5) on SQLite in a temporary folder, for tests and trials:
#   scripts/rt.sh start   installs RT with apt if missing, starts it on a free 127.0.0.1 port, prints RT_URL=… and RT_TOKEN=… lines
#   scripts/rt.sh env     prints the same lines for the running instance
#   scripts/rt.sh url     prints the URL of the running instance
#   scripts/rt.sh token   prints a REST2 token for root on the running instance
#   scripts/rt.sh stop    stops it (the server and its workers) and removes its folder
# Starting when one is already running prints the running one's lines (idempotent); stop without one is a no-op.
# TIX_RT_STATE names the file that remembers the running instance (default: .rt-instance at the repo root).
# TIX_RT_WORKERS sets the server's worker processes (default 2: RT takes ~130 MiB each).
# Mail never leaves the machine: RT writes it to mbox files inside the instance folder.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
state="${TIX_RT_STATE:-$root/.rt-instance}"
workers="${TIX_RT_WORKERS:-2}"
rt_server=/usr/share/request-tracker5/libexec/rt-server
setup_db=/usr/sbin/rt-setup-database-5

log() { printf '[rt] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

pkg_ok() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'; }

install_rt() {
  if pkg_ok request-tracker5 && pkg_ok rt5-db-sqlite && pkg_ok rt5-standalone && [ -x "$rt_server" ]; then return 0; fi
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || die "Request Tracker 5 is not installed and cannot be installed here (needs root and apt-get): apt-get install request-tracker5 rt5-db-sqlite rt5-standalone"
  local pkgs=(request-tracker5 rt5-db-sqlite rt5-standalone)
  # request-tracker5 needs a mail transport; ssmtp runs no daemon (RT is told to write mail to files anyway)
  if ! dpkg-query -W -f='${db:Status-Abbrev} ${Provides}\n' 2>/dev/null | grep -E '^ii' | grep -qw mail-transport-agent; then pkgs+=(ssmtp); fi
  # no database made by dbconfig: each instance makes its own SQLite file
  echo 'request-tracker5 request-tracker5/dbconfig-install boolean false' | debconf-set-selections 2>/dev/null || true
  pkg_ok dbconfig-common || pkgs+=(dbconfig-no-thanks)
  log "installing ${pkgs[*]} with apt (about 30 s)"
  local aptlog
  aptlog="$(mktemp)"
  inst() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${pkgs[@]}"; }
  if ! apt-cache policy request-tracker5 2>/dev/null | grep -q 'Candidate: [0-9]'; then apt-get update -q >>"$aptlog" 2>&1 || true; fi
  if ! inst >>"$aptlog" 2>&1; then
    apt-get update -q >>"$aptlog" 2>&1 || true
    inst >>"$aptlog" 2>&1 || { tail -30 "$aptlog" >&2; rm -f "$aptlog"; die "apt-get install failed"; }
  fi
  rm -f "$aptlog"
}

free_port() {
  node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# the instance's RT_SiteConfig replaces Debian's, so nothing under /etc is read or written
rt_env() { RT_SITE_CONFIG="$1/RT_SiteConfig.pm" RT_SITE_CONFIG_DIR="$1/siteconfig.d" "${@:2}"; }

running() {
  [ -f "$state" ] || return 1
  local pid
  pid="$(sed -n 's/^RT_PID=//p' "$state")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

print_env() { grep -E '^RT_(URL|TOKEN)=' "$state"; }

start() {
  if running; then print_env; return 0; fi
  [ -f "$state" ] && stop
  install_rt
  local dir port
  dir="$(mktemp -d "${TMPDIR:-/tmp}/tix-rt.XXXXXX")"
  port="$(free_port)"
  mkdir -p "$dir/siteconfig.d" "$dir/var" "$dir/mason_data" "$dir/session_data"
  cat >"$dir/RT_SiteConfig.pm" <<EOF
# A throwaway instance for tests: SQLite in this folder, mail written to files, no syslog.
Set(\$rtname, 'rt.test');
Set(\$Organization, 'rt.test');
Set(\$Timezone, 'UTC');
Set(\$WebDomain, '127.0.0.1');
Set(\$WebPort, $port);
Set(\$WebPath, '');
Set(\$WebBaseURL, 'http://127.0.0.1:$port');
Set(\$DatabaseType, 'SQLite');
Set(\$DatabaseName, '$dir/rt.db');
Set(\$MailCommand, 'mbox');
Set(\$CorrespondAddress, 'rt\@rt.test');
Set(\$CommentAddress, 'rt-comment\@rt.test');
Set(\$LogToSyslog, undef);
Set(\$LogToSTDERR, 'error');
Set(\$LogDir, '$dir');
Set(\$LogToFile, 'warning');
Set(\$LogToFileNamed, 'rt.log');
# tokens are bcrypt-checked on every request: the lowest cost keeps a request from costing ~0.2 s of CPU
Set(\$BcryptCost, 4);
# turning HTML into text for mail without forking w3m
Set(\$HTMLFormatter, 'core');
\$RT::VarPath          = '$dir/var';
\$RT::MasonDataDir     = '$dir/mason_data';
\$RT::MasonSessionDir  = '$dir/session_data';
1;
EOF
  # remembered before anything can fail, so stop finds the folder to remove
  printf 'RT_DIR=%s\n' "$dir" >"$state"
  rt_env "$dir" "$setup_db" --action init --skip-create </dev/null >"$dir/setup-database.log" 2>&1 \
    || { cat "$dir/setup-database.log" >&2; stop; die "rt-setup-database failed"; }
  cat >"$dir/token.pl" <<'EOF'
# Prints a REST2 token for a user (root by default); with RT_GRANT=1 first grants everyday ticket
# rights to privileged users, which REST2 cannot grant.
use strict; use warnings;
use lib '/usr/share/request-tracker5/lib', '/usr/local/share/request-tracker5/lib';
use RT;
RT::LoadConfig();
RT::Init();
if ($ENV{RT_GRANT}) {
    my $g = RT::Group->new(RT->SystemUser);
    $g->LoadSystemInternalGroup('Privileged') or die "no Privileged group\n";
    for my $right (qw(SeeQueue ShowTicket CreateTicket ModifyTicket OwnTicket TakeTicket StealTicket ReplyToTicket
                      CommentOnTicket ShowTicketComments ShowOutgoingEmail Watch WatchAsAdminCc SeeCustomField
                      ModifyCustomField ManageAuthTokens)) {
        my ($ok, $msg) = $g->PrincipalObj->GrantRight(Right => $right, Object => RT->System);
        die "grant $right: $msg\n" unless $ok;
    }
}
my $user = RT::CurrentUser->new(RT->SystemUser);
$user->Load($ARGV[0] // 'root');
die "no such user\n" unless $user->Id;
my ($id, $msg, $secret) = RT::AuthToken->new($user)->Create(Owner => $user->Id, Description => 'tix tests');
die "token: $msg\n" unless $id;
print "$secret\n";
EOF
  local token
  token="$(RT_GRANT=1 rt_env "$dir" perl "$dir/token.pl" root 2>>"$dir/setup-database.log")" || { stop; die "token creation failed (see the log above)"; }
  # its own process group, so stop ends the master and its workers together
  setsid bash -c 'echo $$ >"$1/rt-server.pid"; shift; exec "$@"' _ "$dir" \
    env RT_SITE_CONFIG="$dir/RT_SiteConfig.pm" RT_SITE_CONFIG_DIR="$dir/siteconfig.d" \
    "$rt_server" --host 127.0.0.1 --port "$port" --max-workers "$workers" --max-reqs-per-child 100000 \
    >"$dir/server.log" 2>&1 </dev/null &
  for _ in $(seq 1 50); do [ -s "$dir/rt-server.pid" ] && break; sleep 0.1; done
  local pid url
  pid="$(cat "$dir/rt-server.pid")"
  url="http://127.0.0.1:$port"
  printf 'RT_DIR=%s\nRT_PID=%s\nRT_URL=%s\nRT_TOKEN=%s\n' "$dir" "$pid" "$url" "$token" >"$state"
  chmod 600 "$state"
  local deadline=$(( $(date +%s) + ${TIX_RT_START_TIMEOUT:-120} ))
  # the token goes to curl on stdin, never in its argv
  until [ "$(printf 'header = "Authorization: token %s"\n' "$token" | curl -s -K - -o /dev/null -w '%{http_code}' "$url/REST/2.0/rt" || true)" = 200 ]; do
    if ! kill -0 "$pid" 2>/dev/null; then tail -20 "$dir/server.log" >&2; stop; die "rt-server exited while starting"; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then tail -20 "$dir/server.log" >&2; stop; die "RT did not answer on $url"; fi
    sleep 0.3
  done
  log "RT answering on $url (folder $dir)"
  print_env
}

stop() {
  [ -f "$state" ] || return 0
  local dir pid
  dir="$(sed -n 's/^RT_DIR=//p' "$state")"
  pid="$(sed -n 's/^RT_PID=//p' "$state")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  # only a folder this script made: mktemp's tix-rt.XXXXXX
  case "$dir" in */tix-rt.??????) rm -rf -- "$dir" ;; esac
  rm -f "$state"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) running || die "no RT instance is running; start one with scripts/rt.sh start"; print_env ;;
  url) running || die "no RT instance is running; start one with scripts/rt.sh start"; sed -n 's/^RT_URL=//p' "$state" ;;
  token) running || die "no RT instance is running; start one with scripts/rt.sh start"; sed -n 's/^RT_TOKEN=//p' "$state" ;;
  *) echo "usage: $0 start|env|url|token|stop" >&2; exit 2 ;;
esac
