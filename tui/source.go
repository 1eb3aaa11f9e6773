package tui

import (
	"context"
	"fmt"
	"time"

	"github.com/lvsadm/lvsadm/ops"
)

// Source is everything the TUI reads from and writes to. KernelSource is the
// real one; tests use a fake.
type Source interface {
	// Snapshot reads the IPVS table and, when q.Enabled, summarises the
	// connection table under q's filter.
	Snapshot(ctx context.Context, q ConnQuery) (Snapshot, error)
	// SetWeight changes the weight of real server d of service key; d is
	// the destination as the last snapshot showed it, so that its other
	// parameters (forwarding, thresholds, tunnel) are sent back unchanged.
	SetWeight(ctx context.Context, key ops.ServiceKey, d ops.Destination, weight int32) error
	// RemoveServer deletes real server d from service key. IPVS then
	// drops the packets of d's connections (unless the sysctl
	// expire_nodest_conn expires them): its traffic stops at once.
	RemoveServer(ctx context.Context, key ops.ServiceKey, d ops.Destination) error
	// RestoreServer adds d to service key with every parameter d holds
	// (forwarding, weight, thresholds, tunnel): the destination as a
	// snapshot read it before RemoveServer.
	RestoreServer(ctx context.Context, key ops.ServiceKey, d ops.Destination) error
	// Zero zeroes the counters of service key and of its real servers.
	Zero(ctx context.Context, key ops.ServiceKey) error
}

// Snapshot is one reading of the IPVS table.
type Snapshot struct {
	Info     ops.Info
	Services []ServiceSnapshot
	// Taken is when the counters were read; rates from counter deltas
	// divide by the difference between two snapshots' Taken.
	Taken time.Time
	// Conns is nil unless the query asked for connections.
	Conns *ConnSummary
}

// ServiceSnapshot is a virtual service with its real servers: ops' one
// shape for it.
type ServiceSnapshot = ops.VirtualService

// ConnQuery says whether and how to summarise the connection table.
type ConnQuery struct {
	Enabled bool
	Filter  ConnFilter
	// Limit bounds the rows kept; counts always cover every entry.
	Limit int
	// RowsHint is how many rows the previous refresh kept: the row storage
	// is sized for about as many, so a steady table costs one allocation
	// per refresh rather than a doubling series of them (and their copies).
	RowsHint int
}

// KernelSource is the Source over the kernel's IPVS table.
type KernelSource struct {
	K   ops.Kernel
	Now func() time.Time // time.Now when nil
}

// NewKernelSource returns a Source reading and writing through k.
func NewKernelSource(k ops.Kernel) *KernelSource { return &KernelSource{K: k} }

// Snapshot implements Source.
func (s *KernelSource) Snapshot(ctx context.Context, q ConnQuery) (Snapshot, error) {
	info, err := s.K.Info(ctx)
	if err != nil {
		return Snapshot{}, fmt.Errorf("reading IPVS info: %w", err)
	}
	tab, err := ops.Read(ctx, s.K)
	if err != nil {
		return Snapshot{}, err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	snap := Snapshot{Info: info, Services: make([]ServiceSnapshot, 0, len(tab)), Taken: now()}
	for _, vs := range tab {
		snap.Services = append(snap.Services, ServiceSnapshot(vs))
	}
	if q.Enabled {
		sum, err := Summarize(ctx, s.K.Connections, q)
		if err != nil {
			return Snapshot{}, fmt.Errorf("reading connections: %w", err)
		}
		snap.Conns = &sum
	}
	return snap, nil
}

// Summarize reduces a streamed connection table (ops.Kernel.Connections, or
// any function of its shape) to the summary q asks for.
func Summarize(ctx context.Context, conns func(context.Context, func(*ops.Connection) error) error, q ConnQuery) (ConnSummary, error) {
	c := newConnCollector(q.Filter, q.Limit, q.RowsHint)
	if err := conns(ctx, c.add); err != nil {
		return ConnSummary{}, err
	}
	return c.summary(), nil
}

// SetWeight implements Source.
func (s *KernelSource) SetWeight(ctx context.Context, key ops.ServiceKey, d ops.Destination, weight int32) error {
	d.Weight = weight
	if err := s.K.EditDestination(ctx, key, d); err != nil {
		return fmt.Errorf("setting weight of %s in %s: %w", hostPort(d.Address, d.Port), key, err)
	}
	return nil
}

// RemoveServer implements Source.
func (s *KernelSource) RemoveServer(ctx context.Context, key ops.ServiceKey, d ops.Destination) error {
	if err := s.K.DelDestination(ctx, key, d); err != nil {
		return fmt.Errorf("taking %s out of %s: %w", hostPort(d.Address, d.Port), key, err)
	}
	return nil
}

// RestoreServer implements Source.
func (s *KernelSource) RestoreServer(ctx context.Context, key ops.ServiceKey, d ops.Destination) error {
	if err := s.K.AddDestination(ctx, key, d); err != nil {
		return fmt.Errorf("putting %s back into %s: %w", hostPort(d.Address, d.Port), key, err)
	}
	return nil
}

// Zero implements Source.
func (s *KernelSource) Zero(ctx context.Context, key ops.ServiceKey) error {
	if err := s.K.Zero(ctx, &key); err != nil {
		return fmt.Errorf("zeroing the counters of %s: %w", key, err)
	}
	return nil
}
