;; The wasmfx backend's scheduler (docs/actors.md), pasted after runtime-wat/runtime.wat when a
;; program uses processes (synthesize-scheduler decides the level; codegen calls the pieces of
;; that level and the shaker drops the rest).
;;
;; A process is a $Proc: its continuation while it is not running, its mailbox (a queue of
;; $Msg cells), its state, the value to hand it when it runs next ($v: a message, a child's
;; result, a pid), its result, the spawnWait parent waiting for it, whether it is an angel, and
;; its link in the run queue. A process continuation ($PCont) takes the continuation switched
;; from (null unless switch-opt's `switch` started it) and returns the process's value. Process
;; code talks to the scheduler by suspending with $sched (why, argument); after it is resumed,
;; the value handed to it is in $transfer.
;;   why 0: yield (preemption or yield())     why 1: wait for a message     why 2: wait for a child
;;   why 3: self()    why 4: spawn ($SpawnReq)    why 5: send ($SendReq)   (3–5: without prefer-globals)
;; With prefer-globals process code calls $self_g / $spawn_g / $send_to / $recv_g itself.
(rec (type $PFn (func (param (ref null $PCont)) (result eqref))) (type $PCont (cont $PFn)))
(tag $sched (param i32 eqref) (result (ref null $PCont)))
(type $Msg (struct (field eqref) (field (mut (ref null $Msg)))))
(type $SpawnReq (struct (field (ref $PCont)) (field i32)))
(type $SendReq (struct (field eqref) (field eqref)))
(type $Proc (sub final $Pid (struct
  (field $id i32)                       ;; $Pid's: the process id (runtime.wat $pid_fresh, $print_pid)
  (field $k (mut (ref null $PCont)))
  (field $mail (mut (ref null $Msg))) (field $last (mut (ref null $Msg)))
  (field $state (mut i32))              ;; 0 ready or running, 1 waiting for a message, 2 waiting for a child, 3 done
  (field $v (mut eqref)) (field $result (mut eqref))
  (field $waiter (mut (ref null $Proc))) (field $angel (mut i32))
  (field $next (mut (ref null $Proc))))))
(global $current (mut (ref null $Proc)) (ref.null $Proc))
(global $main_proc (mut (ref null $Proc)) (ref.null $Proc))
(global $ready_first (mut (ref null $Proc)) (ref.null $Proc))
(global $ready_last (mut (ref null $Proc)) (ref.null $Proc))
(global $angels (mut i32) (i32.const 0))
(global $transfer (mut eqref) (ref.null none))
(global $switched_from (mut (ref null $Proc)) (ref.null $Proc))
(data $msg_deadlock "deadlock: every process is waiting for a message")

(func $deadlock
  (call $host_fail (array.new_data $String $msg_deadlock (i32.const 0) (i32.const 48))))

(func $new_proc (param $k (ref null $PCont)) (result (ref $Proc))
  (struct.new $Proc (call $pid_fresh) (local.get $k) (ref.null $Msg) (ref.null $Msg) (i32.const 0)
    (ref.null none) (ref.null none) (ref.null $Proc) (i32.const 0) (ref.null $Proc)))

(func $enqueue (param $p (ref $Proc))
  (struct.set $Proc $next (local.get $p) (ref.null $Proc))
  (if (ref.is_null (global.get $ready_last))
    (then (global.set $ready_first (local.get $p)))
    (else (struct.set $Proc $next (ref.as_non_null (global.get $ready_last)) (local.get $p))))
  (global.set $ready_last (local.get $p)))

(func $dequeue (result (ref null $Proc))
  (local $p (ref null $Proc))
  (local.set $p (global.get $ready_first))
  (if (i32.eqz (ref.is_null (local.get $p)))
    (then
      (global.set $ready_first (struct.get $Proc $next (ref.as_non_null (local.get $p))))
      (if (ref.is_null (global.get $ready_first)) (then (global.set $ready_last (ref.null $Proc))))))
  (local.get $p))

;; the oldest message of p (its mailbox is not empty)
(func $take (param $p (ref $Proc)) (result eqref)
  (local $m (ref $Msg))
  (local.set $m (ref.as_non_null (struct.get $Proc $mail (local.get $p))))
  (struct.set $Proc $mail (local.get $p) (struct.get $Msg 1 (local.get $m)))
  (if (ref.is_null (struct.get $Msg 1 (local.get $m))) (then (struct.set $Proc $last (local.get $p) (ref.null $Msg))))
  (struct.get $Msg 0 (local.get $m)))

;; a message to a finished process is dropped; one waiting for a message gets it and is ready
(func $send_to (param $to eqref) (param $msg eqref)
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

;; a new ready process; kind 0 spawn, 1 spawnAngel, 2 spawnWait (the running process waits for it)
(func $spawn_proc (param $k (ref $PCont)) (param $kind i32) (result (ref $Proc))
  (local $child (ref $Proc))
  (local.set $child (call $new_proc (local.get $k)))
  (call $enqueue (local.get $child))
  (if (i32.eq (local.get $kind) (i32.const 1))
    (then (struct.set $Proc $angel (local.get $child) (i32.const 1)) (global.set $angels (i32.add (global.get $angels) (i32.const 1)))))
  (if (i32.eq (local.get $kind) (i32.const 2))
    (then
      (struct.set $Proc $waiter (local.get $child) (global.get $current))
      (struct.set $Proc $state (ref.as_non_null (global.get $current)) (i32.const 2))))
  (local.get $child))

;; ------------------------------------------------------------------ process code's side
;; level mailbox: main is the only process and is not scheduled
(func $mailbox_init (global.set $current (call $new_proc (ref.null $PCont))))
(func $recv_alone (result eqref)
  (if (ref.is_null (struct.get $Proc $mail (ref.as_non_null (global.get $current)))) (then (call $deadlock) (unreachable)))
  (call $take (ref.as_non_null (global.get $current))))

;; suspend to the scheduler; returns the continuation switched from (see $resumed)
(func $suspend (param $why i32) (param $arg eqref) (result (ref null $PCont))
  (suspend $sched (local.get $why) (local.get $arg)))
;; where a process resumes (after a suspension, or at its start): the value handed over; a
;; continuation switched from (switch-opt) is the previous process's, already queued: file it
(func $resumed (param $from (ref null $PCont)) (result eqref)
  (if (i32.eqz (ref.is_null (local.get $from)))
    (then (struct.set $Proc $k (ref.as_non_null (global.get $switched_from)) (local.get $from))))
  (global.get $transfer))

;; with prefer-globals
(func $recv_g (result eqref)
  (local $me (ref $Proc))
  (local.set $me (ref.as_non_null (global.get $current)))
  (if (result eqref) (ref.is_null (struct.get $Proc $mail (local.get $me)))
    (then
      (struct.set $Proc $state (local.get $me) (i32.const 1))
      (call $resumed (call $suspend (i32.const 1) (ref.null none))))
    (else (call $take (local.get $me)))))
(func $spawn_g (param $k (ref $PCont)) (param $kind i32) (result eqref)
  (local $child (ref $Proc))
  (local.set $child (call $spawn_proc (local.get $k) (local.get $kind)))
  (if (result eqref) (i32.eq (local.get $kind) (i32.const 2))
    (then (call $resumed (call $suspend (i32.const 2) (ref.null none))))
    (else (local.get $child))))
(func $yield_g
  (if (i32.eqz (ref.is_null (global.get $ready_first)))
    (then (drop (call $resumed (call $suspend (i32.const 0) (ref.null none)))))))

;; without prefer-globals: every primitive asks the scheduler
(func $self_s (result eqref) (call $resumed (call $suspend (i32.const 3) (ref.null none))))
(func $spawn_s (param $k (ref $PCont)) (param $kind i32) (result eqref)
  (call $resumed (call $suspend (i32.const 4) (struct.new $SpawnReq (local.get $k) (local.get $kind)))))
(func $send_s (param $to eqref) (param $msg eqref)
  (drop (call $resumed (call $suspend (i32.const 5) (struct.new $SendReq (local.get $to) (local.get $msg))))))
(func $recv_s (result eqref) (call $resumed (call $suspend (i32.const 1) (ref.null none))))
(func $yield_s (drop (call $resumed (call $suspend (i32.const 0) (ref.null none)))))

;; ------------------------------------------------------------------ the scheduler
;; The running process suspended with (why, arg); its continuation is k. Returns the process to
;; resume at once (the same one: a request answered), or null: take the next ready one.
(func $suspended (param $why i32) (param $arg eqref) (param $k (ref $PCont)) (result (ref null $Proc))
  (local $me (ref $Proc)) (local $child (ref $Proc)) (local $spawn (ref $SpawnReq)) (local $send (ref $SendReq))
  (local.set $me (ref.as_non_null (global.get $current)))
  (struct.set $Proc $k (local.get $me) (local.get $k))
  (block $wait
    (block $self
      (block $spawn
        (block $send
          (block $recv
            (br_table $wait $recv $wait $self $spawn $send (local.get $why)))
          ;; recv: a message now, else wait for one
          (if (ref.is_null (struct.get $Proc $mail (local.get $me)))
            (then (struct.set $Proc $state (local.get $me) (i32.const 1)) (return (ref.null $Proc))))
          (struct.set $Proc $v (local.get $me) (call $take (local.get $me)))
          (return (local.get $me)))
        (local.set $send (ref.cast (ref $SendReq) (local.get $arg)))
        (call $send_to (struct.get $SendReq 0 (local.get $send)) (struct.get $SendReq 1 (local.get $send)))
        (return (local.get $me)))
      (local.set $spawn (ref.cast (ref $SpawnReq) (local.get $arg)))
      (local.set $child (call $spawn_proc (struct.get $SpawnReq 0 (local.get $spawn)) (struct.get $SpawnReq 1 (local.get $spawn))))
      (if (i32.eq (struct.get $SpawnReq 1 (local.get $spawn)) (i32.const 2)) (then (return (ref.null $Proc))))
      (struct.set $Proc $v (local.get $me) (local.get $child))
      (return (local.get $me)))
    (struct.set $Proc $v (local.get $me) (local.get $me))
    (return (local.get $me)))
  ;; yield: to the back of the queue; wait for a child: its end wakes this one
  (if (i32.eqz (local.get $why)) (then (call $enqueue (local.get $me))))
  (ref.null $Proc))

;; The running process ended with value r.
(func $finished (param $r eqref)
  (local $me (ref $Proc)) (local $w (ref null $Proc))
  (local.set $me (ref.as_non_null (global.get $current)))
  (struct.set $Proc $state (local.get $me) (i32.const 3))
  (struct.set $Proc $result (local.get $me) (local.get $r))
  (if (struct.get $Proc $angel (local.get $me)) (then (global.set $angels (i32.sub (global.get $angels) (i32.const 1)))))
  (local.set $w (struct.get $Proc $waiter (local.get $me)))
  (if (i32.eqz (ref.is_null (local.get $w)))
    (then
      (struct.set $Proc $v (ref.as_non_null (local.get $w)) (local.get $r))
      (struct.set $Proc $state (ref.as_non_null (local.get $w)) (i32.const 0))
      (call $enqueue (ref.as_non_null (local.get $w))))))

;; Run main (a process continuation) and the processes it spawns, each until it ends or
;; suspends, the ready ones in FIFO order, until main is done and no angel is left; main's value.
(func $schedule (param $main (ref $PCont)) (result eqref)
  (local $m (ref $Proc)) (local $p (ref null $Proc)) (local $k (ref null $PCont))
  (local.set $m (call $new_proc (local.get $main)))
  (global.set $main_proc (local.get $m))
  (local.set $p (local.get $m))
  (loop $run
    (if (ref.is_null (local.get $p))
      (then
        (local.set $p (call $dequeue))
        (if (ref.is_null (local.get $p))
          (then
            (if (i32.eq (struct.get $Proc $state (local.get $m)) (i32.const 3)) (then (return (struct.get $Proc $result (local.get $m)))))
            (call $deadlock)
            (unreachable)))))
    (global.set $current (local.get $p))
    (global.set $transfer (struct.get $Proc $v (ref.as_non_null (local.get $p))))
    (local.set $k (struct.get $Proc $k (ref.as_non_null (local.get $p))))
    (struct.set $Proc $k (ref.as_non_null (local.get $p)) (ref.null $PCont))
    (local.set $p (call $suspended
      (block $on (result i32 eqref (ref $PCont))
        (call $finished (resume $PCont (on $sched $on) ;;SWITCH
          (ref.null $PCont) (ref.as_non_null (local.get $k))))
        (if (i32.and (i32.eq (struct.get $Proc $state (local.get $m)) (i32.const 3)) (i32.eqz (global.get $angels)))
          (then (return (struct.get $Proc $result (local.get $m)))))
        (local.set $p (ref.null $Proc))
        (br $run))))
    (br $run))
  (unreachable))

;; ------------------------------------------------------------------ switch-opt
;; A yield that switches straight to the next ready process (which files this one's continuation
;; through $resumed), when there is one.
(tag $switch_to (result eqref))
(func $yield_switch
  (local $next (ref null $Proc)) (local $k (ref $PCont))
  (local.set $next (call $dequeue))
  (if (ref.is_null (local.get $next)) (then (return)))
  (call $enqueue (ref.as_non_null (global.get $current)))
  (global.set $switched_from (global.get $current))
  (global.set $current (local.get $next))
  (global.set $transfer (struct.get $Proc $v (ref.as_non_null (local.get $next))))
  (local.set $k (ref.as_non_null (struct.get $Proc $k (ref.as_non_null (local.get $next)))))
  (struct.set $Proc $k (ref.as_non_null (local.get $next)) (ref.null $PCont))
  (drop (call $resumed (switch $PCont $switch_to (local.get $k)))))
