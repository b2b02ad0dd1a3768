"""negsim's local web page (``negsim serve``): step through one negotiation and watch the
outcome distribution move. Needs the optional extra ``negsim[web]`` (Starlette, uvicorn)."""
