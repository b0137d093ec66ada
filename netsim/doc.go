// Package netsim is weft's socket API: Dial, Listen, ListenPacket and
// LookupHost take a context first (S1) and return the standard net.Conn,
// net.Listener and net.PacketConn (docs/CONTRACT.md §6).
//
// # Production
//
// With a context that does not belong to a simulation, the calls are
// package net's (net.Dialer, net.ListenConfig, net.DefaultResolver): the
// code under test is the code that ships.
//
// A socket made with the ctx of a production runtime (a task's, or
// Enter's) can be aborted like any yield point: a task blocked in its
// Read, Write, Accept or ReadFrom is ended by Abort or by
// the runtime's Shutdown, which close the socket it is blocked on (or
// cancel the dial); the task is dropped right there and its Join reports
// runtime.ErrCancelled, as in a simulation. A connection such a socket
// returns embeds the *net.TCPConn, whose methods it keeps (CloseWrite,
// SetKeepAlive, ...).
//
// # Simulation
//
// New attaches a simulated Network to a simulation; AddHost adds machines
// (10.0.0.N, by name); Host.Context binds a context, and every task spawned
// from it, to a host. On a simulated network:
//
//   - a connection costs one round trip of link latency; a dial to a port
//     nobody listens on fails with ECONNREFUSED (as a *net.OpError);
//   - a stream delivers the bytes written, in order, exactly once; each
//     segment arrives one latency after it was written; a writer waits
//     when its peer has WithWindow bytes unread (backpressure);
//   - CloseWrite half-closes (the peer reads io.EOF after the data); data
//     sent to a closed connection makes the peer answer with a reset
//     (ECONNRESET);
//   - deadlines are virtual-time instants: a call past its deadline fails
//     with os.ErrDeadlineExceeded (a net.Error whose Timeout is true);
//   - a datagram arrives one latency after it was sent, or is lost if
//     nobody listens on its port; datagrams above MaxDatagram fail with
//     EMSGSIZE;
//   - a reset ends a stream: data unread or still on its way is discarded,
//     and once a read has returned ECONNRESET no later read returns data;
//     a write on a reset connection fails with ECONNRESET too;
//   - loopback names ("localhost", "127.0.0.1", "") are the calling task's
//     own host.
//
// # Faults
//
// Every random draw (a latency, a loss) is one of the simulation's
// decisions: seeded, replayed, shrunk with the schedule.
//
//   - SetLink and SetDefaultLink: a Latency (Fixed, Uniform, or any function
//     of the simulation's draws), and for datagrams a Loss and a Duplicate
//     share; random latency reorders datagrams, never a stream. The
//     default link applies to every path SetLink did not configure, from
//     the moment it is set, paths already used included;
//   - Partition, PartitionOneWay and Repair: a datagram is delivered only
//     if its path is open when it arrives, so one sent across a partition,
//     or in flight when one starts, is lost; stream segments wait and are
//     retransmitted, in order, once the path is repaired (a dial waits
//     too);
//   - Hold and Release: traffic is kept, not lost, and Release delivers the
//     held datagrams in the order they were sent (each no earlier than the
//     one before); one released into a partition is lost;
//   - Heal repairs every partition and releases every hold at once;
//   - AddRule: ordered rules see each message (source, destination,
//     protocol, payload) and pass, delay or drop it (a dropped stream
//     segment is retransmitted);
//   - a stream whose segments have waited across a partition for
//     WithPartitionTimeout is reset at both ends;
//   - Swarm draws a whole fault mix from the seed and runs a chaos task
//     that partitions and crashes hosts, so exploring seeds explores
//     fault mixes. When the ctx given to Swarm ends, the swarm heals what
//     it did before virtual time next advances: its partition is
//     repaired, the host it crashed is restarted, and the default link it
//     set gives way to the one before. With Heal after it, the network is
//     whole again.
//
// Every message event — connect, refusal, send, delivery, drop with its
// reason, FIN, reset, crash, restart, partition, hold — goes into the run's
// event log and hash (sim.EvNote).
//
// # Crash and restart
//
// Host.Start runs a host's start function as a task on the host; Crash
// drops every task of the host (deferred functions run, nothing reaches the
// network any more), closes its sockets and resets its peers' connections;
// Restart brings it back with fresh sockets and runs the start function
// again, with the values and cancellation of the ctx given to Start. All
// three may be called from the harness or from any task of the simulation.
//
// # Tasks only
//
// Socket methods take no context: in a simulation they act on behalf of
// the running task, so only tasks may call them. A goroutine that is none of the
// simulation's tasks — a go statement, or a library's own, such as
// net/http's server reading each connection on a goroutine — must not use
// a simulated socket: the call does not return, the goroutine ends
// (runtime.Goexit, so the test binary goes on) and the run fails with a
// *sim.ForeignGoroutineError naming the cure, runtime.Spawn instead of go.
package netsim
