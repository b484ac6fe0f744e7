// Reconstructed from the excerpts quoted in seeds/000_0ddc87c7e8bbdb26.txt (lima-vm/lima PR #4967).
package hostagent

func TestProbeSSHBannerTimesOut(t *testing.T) {
	// Server accepts but neither writes a banner nor closes, so the probe must
	// time out on the read deadline rather than hang forever.
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	assert.NilError(t, err)
	t.Cleanup(func() { _ = ln.Close() })

	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		<-t.Context().Done()
	}()

	_, portStr, err := net.SplitHostPort(ln.Addr().String())
	assert.NilError(t, err)
	port, err := strconv.Atoi(portStr)
	assert.NilError(t, err)

	ctx, cancel := context.WithTimeout(t.Context(), 2*probeSSHBannerTimeout)
	defer cancel()
	start := time.Now()
	err = probeSSHBannerOnLocalPort(ctx, port)
	elapsed := time.Since(start)
	assert.Assert(t, err != nil)
	assert.Assert(t, elapsed < 2*probeSSHBannerTimeout, "probe did not honor read deadline: elapsed=%s", elapsed)
}
