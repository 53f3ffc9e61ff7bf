"""The print-ready project report: every feature's figures on one page, in the reader's language."""
