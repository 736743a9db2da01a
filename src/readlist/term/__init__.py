"""Terminal text without Rich: cell widths, fitted tables, note markdown, local time and the pager."""
