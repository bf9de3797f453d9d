import type { MqttQos } from '../../shared/mqtt'

/** An MQTT QoS picker (0, 1, 2), for the Publish box and the saved publishes alike. */
export function QosSelect(props: { label: string; value: MqttQos; onChange: (qos: MqttQos) => void }) {
  return (
    <select
      aria-label={props.label}
      value={props.value}
      onChange={(e) => {
        const q = Number(e.target.value)
        props.onChange(q === 1 ? 1 : q === 2 ? 2 : 0)
      }}
    >
      <option value="0">QoS 0</option>
      <option value="1">QoS 1</option>
      <option value="2">QoS 2</option>
    </select>
  )
}
