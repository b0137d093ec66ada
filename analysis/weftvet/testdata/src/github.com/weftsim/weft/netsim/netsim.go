// Package netsim is a stub of weft's netsim for the analyzer's tests.
package netsim
