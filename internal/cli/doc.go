// Package cli holds the subcommands of the ntatlas binary. Each subcommand is a function
//
//	func Name(args []string, stdin io.Reader, stdout, stderr io.Writer) int
//
// returning the process exit status: 0 success, 1 a failed check, 2 bad input or usage.
// cmd/ntatlas only dispatches; nothing here calls os.Exit or log.Fatal.
package cli
