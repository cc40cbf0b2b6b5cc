// The head every self-contained page we write shares: no external resources (even the favicon
// request is answered inline), a title and inline CSS.
import { escapeHtml } from './escape.js';

export function htmlHead(title: string, css: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>`;
}
