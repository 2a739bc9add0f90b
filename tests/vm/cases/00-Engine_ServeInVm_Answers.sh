# budget: 420
# The one engine every later case drives: started once, warmed by its first requests.
start_engine 400
curl -sf "$BEV_API/status" >/dev/null || fail "GET /status failed"
measured "engine up after $(($(date +%s) - $(stat -c %Y /tmp/bev-serve.pid))) s"
