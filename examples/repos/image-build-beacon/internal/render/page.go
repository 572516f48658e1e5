// Package render turns summaries into the status page (text/template, escaped by hand for
// HTML, since the page is simple), a plain-text report for terminals, and JSON for the API.
package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/template"
	"time"

	"github.com/example-org/beacon/internal/probe"
	"github.com/example-org/beacon/internal/status"
)

// Page is what the templates see.
type Page struct {
	Title     string
	Generated time.Time
	Overall   probe.Outcome
	Targets   []status.Summary
}

var funcs = template.FuncMap{
	"esc":     escape,
	"pct":     func(f float64) string { return fmt.Sprintf("%.2f%%", f*100) },
	"ms":      func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) },
	"ago":     ago,
	"spark":   spark,
	"class":   func(o probe.Outcome) string { return "st-" + string(o) },
	"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"pad":     func(n int, s string) string { return fmt.Sprintf("%-*s", n, s) },
}

const htmlPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{esc .Title}}</title>
<style>
body { font-family: sans-serif; margin: 2rem auto; max-width: 60rem; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: .3rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
.st-up { color: #176d2c; } .st-degraded { color: #9a6700; } .st-down { color: #b3261e; }
.spark { font-family: monospace; letter-spacing: -1px; }
</style>
</head>
<body>
<h1>{{esc .Title}} <span class="{{class .Overall}}">{{.Overall}}</span></h1>
<p>Generated {{rfc3339 .Generated}}</p>
<table>
<tr><th>target</th><th>state</th><th>since</th><th>uptime</th><th>p50</th><th>p95</th><th>recent</th><th>detail</th></tr>
{{- range .Targets}}
<tr>
<td>{{esc .Target}}</td>
<td class="{{class .Current}}">{{.Current}}</td>
<td>{{if .Samples}}{{ago $.Generated .Since}}{{else}}never probed{{end}}</td>
<td>{{pct .Uptime}}</td>
<td>{{ms .P50}}</td>
<td>{{ms .P95}}</td>
<td class="spark">{{spark .Spark}}</td>
<td>{{with .Last}}{{esc .Detail}}{{end}}</td>
</tr>
{{- end}}
</table>
</body>
</html>
`

const textPage = `{{.Title}}: {{.Overall}} ({{rfc3339 .Generated}})
{{range .Targets}}  {{pad 20 .Target}} {{pad 9 (printf "%s" .Current)}} uptime {{pct .Uptime}}  p95 {{ms .P95}}  {{spark .Spark}}
{{end}}`

var (
	htmlTmpl = template.Must(template.New("html").Funcs(funcs).Parse(htmlPage))
	textTmpl = template.Must(template.New("text").Funcs(funcs).Parse(textPage))
)

// HTML writes the status page.
func HTML(w io.Writer, p Page) error { return htmlTmpl.Execute(w, p) }

// Text writes the terminal report.
func Text(w io.Writer, p Page) error { return textTmpl.Execute(w, p) }

// JSON writes the API document.
func JSON(w io.Writer, p Page) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Title     string           `json:"title"`
		Generated time.Time        `json:"generated"`
		Overall   probe.Outcome    `json:"overall"`
		Targets   []status.Summary `json:"targets"`
	}{p.Title, p.Generated, p.Overall, p.Targets})
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

func escape(s string) string { return htmlEscaper.Replace(s) }

func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

func spark(list []probe.Outcome) string {
	var b strings.Builder
	for _, o := range list {
		switch o {
		case probe.Up:
			b.WriteByte('+')
		case probe.Degraded:
			b.WriteByte('~')
		default:
			b.WriteByte('x')
		}
	}
	return b.String()
}
