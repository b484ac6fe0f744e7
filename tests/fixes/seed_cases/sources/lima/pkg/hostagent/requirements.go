// Reconstructed from the excerpts quoted in seeds/000_0ddc87c7e8bbdb26.txt (lima-vm/lima PR #4967).
package hostagent

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
)

const probeSSHBannerTimeout = 5 * time.Second

func (a *HostAgent) waitForRequirements(ctx context.Context, label string, requirements []requirement) error {
	const retries = 200
	const sleepDuration = 3 * time.Second
	var errs []error
	for i, req := range requirements {
	retryLoop:
		for j := range retries {
			err := a.waitForRequirement(ctx, req)
			if err == nil {
				break retryLoop
			}
			if j == retries-1 {
				errs = append(errs, fmt.Errorf("failed to satisfy the %s requirement %d of %d %q: %s: %w", label, i+1, len(requirements), req.description, req.debugHint, err))
				break retryLoop
			}
			select {
			case <-ctx.Done():
				errs = append(errs, fmt.Errorf("failed to satisfy the %s requirement %d of %d %q: %s: %w", label, i+1, len(requirements), req.description, req.debugHint, ctx.Err()))
				return errors.Join(errs...)
			case <-time.After(sleepDuration):
			}
		}
	}
	return errors.Join(errs...)
}

func (a *HostAgent) bashAvailable() bool {
	return *a.instConfig.OS != limatype.FREEBSD
}

func (a *HostAgent) waitForRequirement(ctx context.Context, r requirement) error {
	if r.check != nil {
		logrus.Debugf("checking requirement %q", r.description)
		return r.check(ctx)
	}
	logrus.Debugf("executing script %q", r.description)
	script := r.script
	sshConfig := &ssh.SSHConfig{
		ConfigFile:     sshConfig.ConfigFile,
		Persist:        false,
		AdditionalArgs: sshutil.DisableControlMasterOptsFromSSHArgs(sshConfig.AdditionalArgs),
	}
	stdout, stderr, err := ssh.ExecuteScript(a.instSSHAddress, a.sshLocalPort, sshConfig, script, r.description)
	logrus.Debugf("stdout=%q, stderr=%q, err=%v", stdout, stderr, err)
	if err != nil {
		return fmt.Errorf("stdout=%q, stderr=%q: %w", stdout, stderr, err)
	}
	return nil
}

func (a *HostAgent) essentialRequirements() []requirement {
	req := make([]requirement, 0)
	// Lima's own SSH client, which has internal retry behavior that can mask a
	// race where the hostagent accepts a TCP connection on 127.0.0.1:sshLocalPort
	// before guest sshd has bound :22. External clients (ssh-keyscan, sftp,
	// rsync, ...) that connect during that window get EPIPE on the first write.
	// This native probe proves the public-facing path is end-to-end usable.
	port := a.sshLocalPort
	req = append(req,
		requirement{
			description: "sshLocalPort serves an SSH banner",
			check: func(ctx context.Context) error {
				return probeSSHBannerOnLocalPort(ctx, port)
			},
			debugHint: `The host agent is listening on 127.0.0.1:<sshLocalPort> but the
proxied connection into the guest is failing. Most commonly this means
guest sshd has not yet bound :22. Check the serial log for sshd startup.
`,
		})
	req = append(req,
		requirement{
			description: "ssh",
			script: `#!/bin/sh
true
`,
			debugHint: `Failed to SSH into the guest.`,
		})
	return req
}

func (a *HostAgent) finalRequirements() []requirement {
	req := make([]requirement, 0)
	logLocation := "/var/log/cloud-init-output.log in the guest"
	if *a.instConfig.OS == limatype.DARWIN {
		logLocation = "serialv.log in the host"
	}
	req = append(req,
		requirement{
			description: "boot scripts must have finished",
			script: fmt.Sprintf(`#!/bin/sh
set -eux
`),
			debugHint: logLocation,
		})
	return req
}

// probeSSHBannerOnLocalPort dials the host agent's TCP forwarder on 127.0.0.1:port
// and reads the SSH identification string.
func probeSSHBannerOnLocalPort(ctx context.Context, port int) error {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("dial %s: %w", addr, err)
	}
	defer conn.Close()
	if err := conn.SetReadDeadline(time.Now().Add(probeSSHBannerTimeout)); err != nil {
		return fmt.Errorf("set read deadline on %s: %w", addr, err)
	}
	// RFC4253 §4.2: an SSH server sends an identification string ending in CR
	// LF (or just LF historically) before the version exchange. If the proxied
	// connection inside the guest has no live peer, the host side will close
	// and ReadString returns EOF.
	banner, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("read SSH banner from %s: %w", addr, err)
	}
	if !strings.HasPrefix(banner, "SSH-2.0-") && !strings.HasPrefix(banner, "SSH-1.99-") {
		return fmt.Errorf("unexpected banner from %s: %q", addr, strings.TrimRight(banner, "\r\n"))
	}
	return nil
}
