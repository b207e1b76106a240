// Types for the parser the metrics tests check the output with (the package ships none).
declare module "parse-prometheus-text-format" {
  interface ParsedMetric {
    labels?: Record<string, string>;
    value: string;
  }
  interface ParsedFamily {
    name: string;
    help: string;
    type: "COUNTER" | "GAUGE" | "SUMMARY" | "HISTOGRAM" | "UNTYPED";
    metrics: ParsedMetric[];
  }
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
