# runc's command line apart from --version (urfave/cli v1 as runc 1.0-rc9 .. 1.1 use it), measured against
# Debian's runc 1.1.5 (NODE-STATE.md): no containers exist on a lab node (there is no container runtime).
# Errors are logrus lines on stderr: time="<RFC 3339>" level=error msg="...".
runc_err() { printf 'time="%(%Y-%m-%dT%H:%M:%SZ)T" level=error msg="%s"\n' -1 "$1" >&2; }
runc_help() {
  cat <<H
NAME:
   runc - Open Container Initiative runtime

runc is a command line client for running applications packaged according to
the Open Container Initiative (OCI) format and is a compliant implementation of the
Open Container Initiative specification.

USAGE:
   runc [global options] command [command options] [arguments...]

VERSION:
   $LAB_RUNC_VERSION

COMMANDS:
   checkpoint  checkpoint a running container
   create      create a container
   delete      delete any resources held by the container often used with detached container
   events      display container events such as OOM notifications, cpu, memory, and IO usage statistics
   exec        execute new process inside the container
   kill        kill sends the specified signal (default: SIGTERM) to the container's init process
   list        lists containers started by runc with the given root
   pause       pause suspends all processes inside the container
   ps          ps displays the processes running inside a container
   restore     restore a container from a previous checkpoint
   resume      resumes all processes that have been previously paused
   run         create and run a container
   spec        create a new specification file
   start       executes the user defined process in a created container
   state       output the state of a container
   update      update container resource constraints
   help, h     Shows a list of commands or help for one command

GLOBAL OPTIONS:
   --debug             enable debug logging
   --log value         set the log file to write runc logs to (default is '/dev/stderr')
   --log-format value  set the log format ('text' (default), or 'json') (default: "text")
   --root value        root directory for storage of container state (this should be located in tmpfs) (default: "/run/runc")
   --criu value        path to the criu binary used for checkpoint and restore (default: "criu")
   --systemd-cgroup    enable systemd cgroup support, expects cgroupsPath to be of form "slice:prefix:name" for e.g. "system.slice:runc:434234"
   --help, -h          show help
   --version, -v       print the version
H
}
runc_cli() {
  while (($#)); do # global options
    case $1 in
      --debug | --systemd-cgroup) shift ;;
      --log | --log-format | --root | --criu | --rootless) shift 2 ;;
      --log=* | --log-format=* | --root=* | --criu=* | --rootless=*) shift ;;
      --help | -h) runc_help; exit 0 ;;
      -*) local f=${1%%=*}; f=-${f##*-}
        echo "Incorrect Usage. flag provided but not defined: $f"; echo; runc_help
        runc_err "flag provided but not defined: $f"; exit 1 ;;
      *) break ;;
    esac
  done
  local cmd=$1; shift
  case $cmd in
    "") runc_help ;;
    list) echo "ID          PID         STATUS      BUNDLE      CREATED     OWNER" ;;
    help | h) runc_help ;;
    state | delete | kill | exec | pause | resume | ps | events | start | update | checkpoint)
      [[ -n $1 ]] || { runc_err "\"$cmd\" requires a minimum of 1 argument"; exit 1; }
      runc_err "container does not exist"; exit 1 ;;
    create | run | restore | spec | features) exit 0 ;;
    *) runc_err "No help topic for '$cmd'\\n"; exit 3 ;;
  esac
  exit 0
}
