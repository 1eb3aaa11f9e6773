package kernel

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/lvsadm/lvsadm/ops"
)

// resolveFamily asks the generic netlink controller for the IPVS family id
// on k's own socket (CTRL_CMD_GETFAMILY), rather than through a second
// socket as netlink.GenlFamilyGet would: one socket per invocation is
// measurably cheaper for short commands run in loops.
func (k *Kernel) resolveFamily(ctx context.Context) (uint16, error) {
	saved := k.family
	k.family = unix.GENL_ID_CTRL
	defer func() { k.family = saved }()
	var (
		id  uint16
		got bool
	)
	err := k.get(ctx, ops.OpOpen, unix.CTRL_CMD_GETFAMILY, func(e *encoder) error {
		e.putString(unix.CTRL_ATTR_FAMILY_NAME, genlName)
		return nil
	}, func(cmd uint8, attrs []byte) error {
		a := newAttrs(attrs)
		for a.next() {
			if a.typ == unix.CTRL_ATTR_FAMILY_ID {
				v, err := getU16("family id", a.val)
				if err != nil {
					return err
				}
				id, got = v, true
			}
		}
		return a.err
	})
	var ke *ops.KernelError
	if errors.As(err, &ke) && ke.Errno == unix.ENOENT {
		return 0, fmt.Errorf("%w: no generic netlink family %q (is ip_vs loaded?)", ops.ErrNoIPVS, genlName)
	}
	if err != nil {
		return 0, fmt.Errorf("resolving generic netlink family %q: %w", genlName, err)
	}
	if !got {
		return 0, fmt.Errorf("resolving generic netlink family %q: the controller's answer has no id", genlName)
	}
	return id, nil
}
