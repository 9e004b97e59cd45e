"""fagui: 法规统一公开查询平台 (settings and command line)."""
