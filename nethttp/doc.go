// Package nethttp runs net/http handlers and clients over netsim, so the
// HTTP code of a service runs unchanged in production and, deterministically
// and under network faults, in a weft simulation.
//
// [Serve] serves an http.Handler on a net.Listener (from netsim.Listen);
// [Transport] is an http.RoundTripper for an http.Client. Both decide per
// call, from the context, how to run:
//
//   - With a context of a simulation, every connection is a weft task.
//     Requests are parsed by net/http (http.ReadRequest, http.ReadResponse)
//     and written as net/http writes them: status line, headers in sorted
//     order, a Date header from the simulation's clock, a body framed by
//     Content-Length (a handler that writes at most 2 KiB and returns) or
//     chunked encoding (one that writes more or flushes), keep-alive,
//     Connection: close, HEAD without a body, and 100 Continue before a held
//     back body is read. A handler's r.Context() belongs to the
//     connection's task, so clock, runtime and netsim calls work inside
//     it; it ends when the request is done, and no request's deadline
//     outlives the request. A handler that panics ends its connection;
//     the panic goes on to the connection's task, so the simulation reports
//     it with the handler's stack (http.ErrAbortHandler ends the connection
//     quietly, as in net/http).
//   - The Transport keeps idle connections for reuse (reused most recent
//     first; a connection that saw an error, or whose body was not read to
//     its end, is closed, never reused). The request's context bounds the
//     dial, the wait for the response and the reading of its body:
//     cancellation and deadlines (clock.WithTimeout) are in virtual time,
//     and a request that ends that way fails with the context's error.
//   - Otherwise Serve is net/http's Server (its BaseContext is Serve's
//     context, so handlers reach the same runtime) and the Transport is a
//     net/http Transport that dials with netsim.Dial.
//
// Plain HTTP/1.x only: a simulation refuses https URLs. Everything a
// simulated connection does is one of the run's events, so a seed replays
// an HTTP exchange exactly.
package nethttp
