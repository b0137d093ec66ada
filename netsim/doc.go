// Package netsim is weft's socket API: Dial, Listen, ListenPacket and
// LookupHost take a context first (S1) and return the standard net.Conn,
// net.Listener and net.PacketConn (SPEC §6).
//
// # Production
//
// With a context that does not belong to a simulation, the calls are
// package net's (net.Dialer, net.ListenConfig, net.DefaultResolver): the
// code under test is the code that ships.
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
//     share; random latency reorders datagrams, never a stream;
//   - Partition, PartitionOneWay and Repair: datagrams across a partition
//     are lost; stream segments wait and are retransmitted, in order, once
//     the path is repaired (a dial waits too);
//   - Hold and Release: traffic is kept, not lost, and delivered in order on
//     Release;
//   - AddRule: ordered rules see each message (source, destination,
//     protocol, payload) and pass, delay or drop it (a dropped stream
//     segment is retransmitted);
//   - a stream whose segments have waited across a partition for
//     WithPartitionTimeout is reset at both ends;
//   - Swarm draws a whole fault mix from the seed and runs a chaos task
//     that partitions and crashes hosts, so exploring seeds explores
//     fault mixes.
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
// again. Both may be called from the harness or from a task.
//
// Socket methods take no context: in a simulation they wait on behalf of
// the running task, so only tasks may call them.
package netsim
