-- Argo CD health of a kraftwerk KafkaConsumerGroup: Ready from the operator, and the
-- Burrow-style lag evaluation — a Stalled group (lag, but no commits) is Degraded even when
-- the scaler itself is fine, because adding replicas will not help it.
local hs = { status = "Progressing", message = "Waiting for the operator" }
-- A missing scale target is not terminal: in a GitOps sync the Deployment may come later.
local terminal = { InvalidSpec = true, InvalidSettings = true, Conflict = true }

if obj.status == nil then return hs end
local generation = obj.metadata.generation or 0
if (obj.status.observedGeneration or 0) < generation then
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end
local ready = nil
for _, c in ipairs(obj.status.conditions or {}) do
  if c.type == "Ready" then ready = c end
end
if ready == nil then return hs end
hs.message = (ready.reason or "") .. ": " .. (ready.message or "")
if ready.status == "True" then
  hs.status = "Healthy"
  if obj.status.health == "Stalled" then
    hs.status = "Degraded"
    hs.message = "Consumers are stalled: lag without commits"
  end
elseif ready.status == "False" and terminal[ready.reason] then
  hs.status = "Degraded"
end
return hs
