// pause is the sandbox ("infra") process of every pod: it holds the pod's namespaces open
// and does nothing else. Ours replaces registry.k8s.io/pause, which cannot be pulled here.
// As PID 1 of a pod with a shared PID namespace it must also reap orphaned children, and it
// exits promptly on SIGINT/SIGTERM so pod teardown is fast.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-v" {
		fmt.Println("pause (kraftwerk)")
		return
	}
	if os.Getpid() != 1 {
		fmt.Fprintln(os.Stderr, "warning: pause should be the first process")
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			fmt.Fprintf(os.Stderr, "shutting down, got signal: %v\n", s)
			os.Exit(0)
		}
		// Reap every exited child; WNOHANG so we go back to waiting when none is left.
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
