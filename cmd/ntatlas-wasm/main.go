//go:build js && wasm

// Command ntatlas-wasm is every lab engine compiled for the browser. Pages call
// ntatlasLab(engine, op, requestJSON) and get the same JSON envelope as POST /api/v1/labs/...;
// ntatlasLabBytes(engine, op, Uint8Array, optionsJSON) hands a file's bytes over without JSON.
package main

import (
	"syscall/js"

	"ntatlas/internal/labs/registry"
)

func main() {
	js.Global().Set("ntatlasLab", js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) != 3 {
			return `{"error":{"offset":-1,"message":"ntatlasLab(engine, op, requestJSON)"}}`
		}
		return string(registry.RunJSON(args[0].String(), args[1].String(), []byte(args[2].String())))
	}))
	js.Global().Set("ntatlasLabBytes", js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) != 4 || args[2].Type() != js.TypeObject {
			return `{"error":{"offset":-1,"message":"ntatlasLabBytes(engine, op, Uint8Array, optionsJSON)"}}`
		}
		data := make([]byte, args[2].Get("length").Int())
		js.CopyBytesToGo(data, args[2])
		return string(registry.RunBytesJSON(args[0].String(), args[1].String(), data, []byte(args[3].String())))
	}))
	js.Global().Set("ntatlasLabReady", true)
	if cb := js.Global().Get("ntatlasLabOnReady"); cb.Type() == js.TypeFunction {
		cb.Invoke()
	}
	select {}
}
