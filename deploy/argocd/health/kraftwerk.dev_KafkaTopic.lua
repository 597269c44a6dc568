-- Argo CD health of a kraftwerk KafkaTopic, from its Ready condition.
-- A topic waiting for its cluster is Progressing; one that cannot converge without a person
-- (an invalid spec, a name another resource owns, more replicas than brokers) is Degraded.
local hs = { status = "Progressing", message = "Waiting for the operator" }
local terminal = { InvalidSpec = true, Conflict = true, ReplicationFactorTooHigh = true,
  TopicReplacedOutside = true, KafkaRejected = true }

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
elseif ready.status == "False" and terminal[ready.reason] then
  hs.status = "Degraded"
end
return hs
