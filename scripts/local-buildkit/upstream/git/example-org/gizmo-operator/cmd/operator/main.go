// gizmo-operator reconciles gizmos read as JSON from stdin and prints the desired state.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"

	v1 "github.com/example-org/gizmo-operator/api/v1"
)

func reconcile(in *v1.Gizmo) *v1.Gizmo {
	out := in.DeepCopy()
	if out.Spec.Replicas < 1 {
		out.Spec.Replicas = 1
	}
	if out.Spec.Labels == nil {
		out.Spec.Labels = map[string]string{}
	}
	out.Spec.Labels["app.kubernetes.io/managed-by"] = "gizmo-operator"
	out.Status.Phase = "Reconciled"
	return out
}

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Printf("gizmo-operator %s (%s, %s/%s)\n", v1.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return
	}
	var list v1.GizmoList
	if err := json.NewDecoder(os.Stdin).Decode(&list); err != nil {
		fmt.Fprintln(os.Stderr, "gizmo-operator: reading a GizmoList from stdin:", err)
		os.Exit(1)
	}
	out := list.DeepCopy()
	for i := range out.Items {
		out.Items[i] = *reconcile(&out.Items[i])
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
