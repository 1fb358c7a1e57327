"""The analyst workbench (`dulun serve`): a local web app over the same database the pipeline writes.

`server.build` assembles it, `app` holds routes, sessions and headers, `pages` the handlers,
`context` the per-request database access, `security` users, CSRF and login limits, `charts`
the server-drawn SVG, `query` the search box's reading of Vietnamese. Its SQL lives in
`store.web`, `store.search_index` and `store.corrections`.
"""
