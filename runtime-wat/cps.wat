;; The cps backend's runtime (docs/cps-backend.md), pasted after runtime-wat/runtime.wat.
;;
;; A continuation is two stacks, both immutable linked lists of GC structs:
;;   k: pure frames, innermost first, ending (null) where the nearest handler begins;
;;   h: handler frames, innermost first; each holds the pure frames and handler frames that
;;      continue after its handled computation returns.
;; Generated code extends $Frame with one final subtype per field layout ($FrN: the frame
;; function's variables in their own representations) and calls these functions:
;;   $ret v k h               pass v to the continuation (k's top frame, else h's return clause)
;;   $perform op a k h        find the innermost handler of op in h, capture, run its clause
;;   $resume r v p setp k h   run resumption r with v on top of continuation (k, h)
;;   $ip_perform op a h       run op's clause in place when the innermost handler of op in h has
;;                            it so (tail-resume); else $general
;; and defines $unhandled (an operation no handler handles: a runtime error naming it) and
;; $deadlock (every process waits for a message).
(rec
  (type $Frame (sub (struct (field (ref $FrameFn)) (field (ref null $Frame)))))          ;; code, next
  (type $FrameFn (func (param (ref $Frame)) (param eqref) (param (ref null $HFrame)) (result eqref)))
  ;; handler, its clauses' variables ($EnvN or null), parameters (one eqref, an $Env of several,
  ;; or null), the pure frames and handler frames under it. The parameters are set in place only
  ;; by a clause run in place, on a frame of the running computation: a resumption never holds
  ;; such a frame (a capture takes the frames off the running computation, and resuming copies them)
  (type $HFrame (struct (field (ref $Handler)) (field eqref) (field (mut eqref)) (field (ref null $Frame)) (field (ref null $HFrame))))
  ;; operations handled (ids), shallow?, return clause, operation clauses, and the functions
  ;; running clauses in place (same order as the ids; null: none, or not that operation)
  (type $Handler (struct (field (ref $Ops)) (field i32) (field (ref $RetFn)) (field (ref $OpFn)) (field (ref null $IPFns))))
  ;; a clause in place: the handler frame, the operation's argument(s) → the value resumed with
  (type $IPFn (func (param (ref $HFrame)) (param eqref) (result eqref)))
  (type $IPFns (array (ref null $IPFn)))
  (type $RetFn (func (param eqref) (param (ref $HFrame)) (result eqref)))
  ;; operation id, its argument(s) (one eqref, an $Env of several, or null), resumption, handler frame
  (type $OpFn (func (param i32) (param eqref) (param (ref $Resumption)) (param (ref $HFrame)) (result eqref)))
  ;; the captured pure frames, the handler frames between them and the handler (or null: none),
  ;; and the handler's own frame (null for a shallow handler: it is not captured)
  (type $Resumption (struct (field (ref null $Frame)) (field (ref null $HFrames)) (field (ref null $HFrame))))
  (type $HFrames (array (mut (ref null $HFrame))))
  (type $Ops (array i32))
)

;; the frame a shallow resumption returns through: no operations, returns to what is under it
(global $identity (ref $Handler)
  (struct.new $Handler (array.new_fixed $Ops 0) (i32.const 0) (ref.func $identity_ret) (ref.func $identity_op) (ref.null $IPFns)))
(elem declare func $identity_ret $identity_op)
(func $identity_ret (type $RetFn) (param $v eqref) (param $hf (ref $HFrame)) (result eqref)
  (return_call $ret (local.get $v) (struct.get $HFrame 3 (local.get $hf)) (struct.get $HFrame 4 (local.get $hf))))
(func $identity_op (type $OpFn) (param $op i32) (param $a eqref) (param $r (ref $Resumption)) (param $hf (ref $HFrame)) (result eqref)
  (unreachable))

(func $ret (param $v eqref) (param $k (ref null $Frame)) (param $h (ref null $HFrame)) (result eqref)
  (if (ref.is_null (local.get $k))
    (then
      (if (ref.is_null (local.get $h)) (then (return (local.get $v))))
      (return_call_ref $RetFn (local.get $v) (ref.as_non_null (local.get $h))
        (struct.get $Handler 2 (struct.get $HFrame 0 (local.get $h))))))
  (return_call_ref $FrameFn (ref.as_non_null (local.get $k)) (local.get $v) (local.get $h)
    (struct.get $Frame 0 (local.get $k))))

(func $has_op (param $ops (ref $Ops)) (param $op i32) (result i32)
  (local $i i32)
  (block $no
    (loop $next
      (br_if $no (i32.ge_u (local.get $i) (array.len (local.get $ops))))
      (if (i32.eq (array.get $Ops (local.get $ops) (local.get $i)) (local.get $op)) (then (return (i32.const 1))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
  (i32.const 0))

(func $perform (param $op i32) (param $a eqref) (param $k (ref null $Frame)) (param $h (ref null $HFrame)) (result eqref)
  (local $hf (ref null $HFrame)) (local $n i32) (local $i i32) (local $between (ref null $HFrames)) (local $x (ref null $HFrame))
  ;; the innermost handler frame whose handler handles op; n frames above it
  (local.set $hf (local.get $h))
  (block $found
    (loop $search
      (if (ref.is_null (local.get $hf)) (then (call $unhandled (local.get $op)) (unreachable)))
      (br_if $found (call $has_op (struct.get $Handler 0 (struct.get $HFrame 0 (local.get $hf))) (local.get $op)))
      (local.set $hf (struct.get $HFrame 4 (local.get $hf)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $search)))
  ;; the handler frames above it (forwarded through), innermost first
  (if (local.get $n)
    (then
      (local.set $between (array.new_default $HFrames (local.get $n)))
      (local.set $x (local.get $h))
      (loop $copy
        (array.set $HFrames (local.get $between) (local.get $i) (local.get $x))
        (local.set $x (struct.get $HFrame 4 (local.get $x)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $copy (i32.lt_u (local.get $i) (local.get $n))))))
  (return_call_ref $OpFn
    (local.get $op) (local.get $a)
    (struct.new $Resumption (local.get $k) (local.get $between)
      (if (result (ref null $HFrame)) (struct.get $Handler 1 (struct.get $HFrame 0 (local.get $hf)))
        (then (ref.null $HFrame)) (else (local.get $hf))))
    (ref.as_non_null (local.get $hf))
    (struct.get $Handler 3 (struct.get $HFrame 0 (local.get $hf)))))

;; what $ip_perform returns when the operation must be performed by $perform: no value is this one
(type $General (struct (field i32)))
(global $general (ref $General) (struct.new $General (i32.const 0)))

;; Operation op with argument(s) a, under handler frames h: when the innermost handler of op runs
;; its clause in place, the value the clause resumes with (its parameters set in its frame), with
;; no continuation captured; otherwise $general.
(func $ip_perform (param $op i32) (param $a eqref) (param $h (ref null $HFrame)) (result eqref)
  (local $hd (ref $Handler)) (local $ops (ref $Ops)) (local $i i32) (local $f (ref null $IPFn))
  (loop $walk
    (if (ref.is_null (local.get $h)) (then (return (global.get $general))))
    (local.set $hd (struct.get $HFrame 0 (local.get $h)))
    (local.set $ops (struct.get $Handler 0 (local.get $hd)))
    (local.set $i (i32.const 0))
    (block $next
      (loop $scan
        (br_if $next (i32.ge_u (local.get $i) (array.len (local.get $ops))))
        (if (i32.eq (array.get $Ops (local.get $ops) (local.get $i)) (local.get $op))
          (then
            (if (ref.is_null (struct.get $Handler 4 (local.get $hd))) (then (return (global.get $general))))
            (local.set $f (array.get $IPFns (ref.as_non_null (struct.get $Handler 4 (local.get $hd))) (local.get $i)))
            (if (ref.is_null (local.get $f)) (then (return (global.get $general))))
            (return_call_ref $IPFn (ref.as_non_null (local.get $h)) (local.get $a) (ref.as_non_null (local.get $f)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (local.set $h (struct.get $HFrame 4 (local.get $h)))
    (br $walk))
  (unreachable))

;; Resumption r with value v on continuation (k, h): new copies of its handler frames (the
;; handler's own with parameters p when setp) over (k, h), then v to its pure frames. Nothing
;; captured is changed, so r can run again (multishot).
(func $resume (param $r (ref $Resumption)) (param $v eqref) (param $p eqref) (param $setp i32)
    (param $k (ref null $Frame)) (param $h (ref null $HFrame)) (result eqref)
  (local $own (ref null $HFrame)) (local $base (ref null $HFrame)) (local $between (ref null $HFrames)) (local $i i32) (local $x (ref null $HFrame))
  (local.set $own (struct.get $Resumption 2 (local.get $r)))
  (if (ref.is_null (local.get $own))
    (then (local.set $base (struct.new $HFrame (global.get $identity) (ref.null none) (ref.null none) (local.get $k) (local.get $h))))
    (else
      (local.set $base (struct.new $HFrame
        (struct.get $HFrame 0 (local.get $own)) (struct.get $HFrame 1 (local.get $own))
        (if (result eqref) (local.get $setp) (then (local.get $p)) (else (struct.get $HFrame 2 (local.get $own))))
        (local.get $k) (local.get $h)))))
  (local.set $between (struct.get $Resumption 1 (local.get $r)))
  (if (i32.eqz (ref.is_null (local.get $between)))
    (then
      (local.set $i (array.len (local.get $between)))
      (loop $copy
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (local.set $x (array.get $HFrames (local.get $between) (local.get $i)))
        (local.set $base (struct.new $HFrame
          (struct.get $HFrame 0 (local.get $x)) (struct.get $HFrame 1 (local.get $x)) (struct.get $HFrame 2 (local.get $x))
          (struct.get $HFrame 3 (local.get $x)) (local.get $base)))
        (br_if $copy (local.get $i)))))
  (return_call $ret (local.get $v) (struct.get $Resumption 0 (local.get $r)) (local.get $base)))

;; ------------------------------------------------------------------------------ processes
;; A process is a $Proc: its saved continuation (k, h) and the value to return to it, its
;; mailbox, its state. Processes run one at a time, each until it finishes, waits or yields
;; (yield(), or $tick's preemption every N calls: cps-codegen); the scheduler runs the ready ones
;; in FIFO order. A process that waits or yields saves its continuation and returns $blocked
;; through the tail calls to the scheduler's call.
(type $Msg (struct (field eqref) (field (mut (ref null $Msg)))))
(type $Blocked (struct))
(type $Proc (sub final $Pid (struct
  (field $id i32)                       ;; $Pid's: the process id (runtime.wat $pid_fresh, $print_pid)
  (field $k (mut (ref null $Frame))) (field $h (mut (ref null $HFrame))) (field $v (mut eqref))
  (field $mail (mut (ref null $Msg))) (field $last (mut (ref null $Msg)))
  (field $state (mut i32))              ;; 0 ready or running, 1 waiting for a message, 2 waiting for a child, 3 done
  (field $result (mut eqref)) (field $waiter (mut (ref null $Proc))) (field $angel (mut i32))
  (field $next (mut (ref null $Proc))))))  ;; the ready queue
(global $blocked (ref $Blocked) (struct.new $Blocked))
(global $current (mut (ref null $Proc)) (ref.null $Proc))
(global $main_proc (mut (ref null $Proc)) (ref.null $Proc))
(global $ready_first (mut (ref null $Proc)) (ref.null $Proc))
(global $ready_last (mut (ref null $Proc)) (ref.null $Proc))
(global $angels (mut i32) (i32.const 0))

(func $new_proc (param $k (ref null $Frame)) (result (ref $Proc))
  (struct.new $Proc (call $pid_fresh) (local.get $k) (ref.null $HFrame) (global.get $unit) (ref.null $Msg) (ref.null $Msg)
    (i32.const 0) (ref.null none) (ref.null $Proc) (i32.const 0) (ref.null $Proc)))

(func $enqueue (param $p (ref $Proc))
  (struct.set $Proc $next (local.get $p) (ref.null $Proc))
  (if (ref.is_null (global.get $ready_last))
    (then (global.set $ready_first (local.get $p)))
    (else (struct.set $Proc $next (ref.as_non_null (global.get $ready_last)) (local.get $p))))
  (global.set $ready_last (local.get $p)))

;; the main program is process 0, running
(func $procs_init
  (global.set $main_proc (call $new_proc (ref.null $Frame)))
  (global.set $current (global.get $main_proc)))

;; kind: 0 spawn, 1 spawnAngel, 2 spawnWait
(func $spawn (param $start (ref $Frame)) (param $kind i32) (param $k (ref null $Frame)) (param $h (ref null $HFrame)) (result eqref)
  (local $child (ref $Proc)) (local $me (ref $Proc))
  (local.set $child (call $new_proc (local.get $start)))
  (call $enqueue (local.get $child))
  (if (i32.eq (local.get $kind) (i32.const 1))
    (then (struct.set $Proc $angel (local.get $child) (i32.const 1)) (global.set $angels (i32.add (global.get $angels) (i32.const 1)))))
  (if (i32.eq (local.get $kind) (i32.const 2))
    (then
      (local.set $me (ref.as_non_null (global.get $current)))
      (struct.set $Proc $waiter (local.get $child) (local.get $me))
      (struct.set $Proc $k (local.get $me) (local.get $k))
      (struct.set $Proc $h (local.get $me) (local.get $h))
      (struct.set $Proc $state (local.get $me) (i32.const 2))
      (return (global.get $blocked))))
  (return_call $ret (local.get $child) (local.get $k) (local.get $h)))

(func $recv (param $k (ref null $Frame)) (param $h (ref null $HFrame)) (result eqref)
  (local $me (ref $Proc)) (local $m (ref null $Msg))
  (local.set $me (ref.as_non_null (global.get $current)))
  (local.set $m (struct.get $Proc $mail (local.get $me)))
  (if (ref.is_null (local.get $m))
    (then
      (struct.set $Proc $k (local.get $me) (local.get $k))
      (struct.set $Proc $h (local.get $me) (local.get $h))
      (struct.set $Proc $state (local.get $me) (i32.const 1))
      (return (global.get $blocked))))
  (struct.set $Proc $mail (local.get $me) (struct.get $Msg 1 (local.get $m)))
  (if (ref.is_null (struct.get $Msg 1 (local.get $m))) (then (struct.set $Proc $last (local.get $me) (ref.null $Msg))))
  (return_call $ret (struct.get $Msg 0 (local.get $m)) (local.get $k) (local.get $h)))

;; yield (and preemption: $tick): the running process goes to the back of the ready queue,
;; when another process is ready
(func $yield (param $k (ref null $Frame)) (param $h (ref null $HFrame)) (result eqref)
  (local $me (ref $Proc))
  (if (ref.is_null (global.get $ready_first)) (then (return_call $ret (global.get $unit) (local.get $k) (local.get $h))))
  (local.set $me (ref.as_non_null (global.get $current)))
  (struct.set $Proc $k (local.get $me) (local.get $k))
  (struct.set $Proc $h (local.get $me) (local.get $h))
  (struct.set $Proc $v (local.get $me) (global.get $unit))
  (call $enqueue (local.get $me))
  (global.get $blocked))

;; a process waiting for a message gets it at once and becomes ready; a finished one drops it
(func $send (param $to eqref) (param $msg eqref)
  (local $p (ref $Proc)) (local $cell (ref $Msg))
  (local.set $p (ref.cast (ref $Proc) (local.get $to)))
  (if (i32.eq (struct.get $Proc $state (local.get $p)) (i32.const 3)) (then (return)))
  (if (i32.eq (struct.get $Proc $state (local.get $p)) (i32.const 1))
    (then
      (struct.set $Proc $v (local.get $p) (local.get $msg))
      (struct.set $Proc $state (local.get $p) (i32.const 0))
      (call $enqueue (local.get $p))
      (return)))
  (local.set $cell (struct.new $Msg (local.get $msg) (ref.null $Msg)))
  (if (ref.is_null (struct.get $Proc $last (local.get $p)))
    (then (struct.set $Proc $mail (local.get $p) (local.get $cell)))
    (else (struct.set $Msg 1 (ref.as_non_null (struct.get $Proc $last (local.get $p))) (local.get $cell))))
  (struct.set $Proc $last (local.get $p) (local.get $cell)))

;; r: what the running process returned ($blocked: it waits). Runs processes until the main
;; one is done and no angel is left; returns the main process's value.
(func $schedule (param $r eqref) (result eqref)
  (local $me (ref $Proc)) (local $w (ref null $Proc)) (local $p (ref null $Proc)) (local $main (ref $Proc))
  (local.set $main (ref.as_non_null (global.get $main_proc)))
  (loop $run
    (local.set $me (ref.as_non_null (global.get $current)))
    (if (i32.eqz (ref.eq (local.get $r) (global.get $blocked)))
      (then
        (struct.set $Proc $state (local.get $me) (i32.const 3))
        (struct.set $Proc $result (local.get $me) (local.get $r))
        (if (struct.get $Proc $angel (local.get $me)) (then (global.set $angels (i32.sub (global.get $angels) (i32.const 1)))))
        (local.set $w (struct.get $Proc $waiter (local.get $me)))
        (if (i32.eqz (ref.is_null (local.get $w)))
          (then
            (struct.set $Proc $v (ref.as_non_null (local.get $w)) (local.get $r))
            (struct.set $Proc $state (ref.as_non_null (local.get $w)) (i32.const 0))
            (call $enqueue (ref.as_non_null (local.get $w)))))))
    (if (i32.and (i32.eq (struct.get $Proc $state (local.get $main)) (i32.const 3)) (i32.eqz (global.get $angels)))
      (then (return (struct.get $Proc $result (local.get $main)))))
    (local.set $p (global.get $ready_first))
    (if (ref.is_null (local.get $p))
      (then
        (if (i32.eq (struct.get $Proc $state (local.get $main)) (i32.const 3)) (then (return (struct.get $Proc $result (local.get $main)))))
        (call $deadlock)
        (unreachable)))
    (global.set $ready_first (struct.get $Proc $next (ref.as_non_null (local.get $p))))
    (if (ref.is_null (global.get $ready_first)) (then (global.set $ready_last (ref.null $Proc))))
    (global.set $current (local.get $p))
    (local.set $r (call $ret
      (struct.get $Proc $v (ref.as_non_null (local.get $p)))
      (struct.get $Proc $k (ref.as_non_null (local.get $p)))
      (struct.get $Proc $h (ref.as_non_null (local.get $p)))))
    (br $run))
  (unreachable))
