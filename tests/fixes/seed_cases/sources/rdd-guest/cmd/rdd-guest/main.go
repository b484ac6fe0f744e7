// Reconstructed from the excerpts quoted in seeds/002_2f025253b88c4405.txt
// (rancher-desktop-opensuse PR #37).
package main

func serve(ctx context.Context, l net.Listener) {
	go func() {
		<-ctx.Done()
		l.Close()
	}()

	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Printf("rdd-guest: accept: %v", err)
			continue
		}
		go handleConn(ctx, conn)
	}
}
