// Reads Kafka's own broker/controller config definitions from the jars on the classpath
// (kafka.server.KafkaConfig.configDef(), the same in 3.9 and 4.x). Run by
// hack/gen-kafka-configdefs.ts and by the tests that prove the TypeScript checks agree.
//
//   java -cp 'KafkaConfigDefs-classes:<kafka>/libs/*' KafkaConfigDefs defs
//       prints the definitions as one JSON document
//   java -cp ... KafkaConfigDefs parse < cases
//       each input line is "<base64 key> <base64 value>"; each output line is Kafka's
//       verdict on that one value: "ok" or "refused <base64 message>"
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

public class KafkaConfigDefs {
  public static void main(String[] args) throws Exception {
    ConfigDef def = kafka.server.KafkaConfig.configDef();
    if (args.length == 1 && args[0].equals("defs")) {
      System.out.print(defs(def));
    } else if (args.length == 1 && args[0].equals("parse")) {
      parse(def);
    } else {
      System.err.println("usage: KafkaConfigDefs defs|parse");
      System.exit(2);
    }
  }

  /**
   * The step of ConfigDef.parse that judges one given value: parseValue(key, value, true)
   * (parseType, then the key's validator). parse() itself would also demand every required
   * key (process.roles has no default in 4.x), so the package-private step is called.
   */
  static void parse(ConfigDef def) throws Exception {
    Method parseValue =
        ConfigDef.class.getDeclaredMethod(
            "parseValue", ConfigDef.ConfigKey.class, Object.class, boolean.class);
    parseValue.setAccessible(true);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Base64.Decoder d = Base64.getDecoder();
    Base64.Encoder e = Base64.getEncoder();
    StringBuilder out = new StringBuilder();
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isEmpty()) continue;
      String[] parts = line.split(" ", -1);
      String key = new String(d.decode(parts[0]), StandardCharsets.UTF_8);
      String value = new String(d.decode(parts[1]), StandardCharsets.UTF_8);
      ConfigDef.ConfigKey configKey = def.configKeys().get(key);
      try {
        if (configKey != null) parseValue.invoke(def, configKey, value, true);
        out.append("ok\n");
      } catch (InvocationTargetException wrapped) {
        if (!(wrapped.getCause() instanceof ConfigException)) throw wrapped;
        ConfigException ex = (ConfigException) wrapped.getCause();
        out.append("refused ")
            .append(e.encodeToString(ex.getMessage().getBytes(StandardCharsets.UTF_8)))
            .append('\n');
      }
    }
    System.out.print(out);
  }

  static String defs(ConfigDef def) throws Exception {
    scala.collection.mutable.Set<String> dynamic =
        kafka.server.DynamicBrokerConfig.AllDynamicConfigs();
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, ConfigDef.ConfigKey> entry : new TreeMap<>(def.configKeys()).entrySet()) {
      ConfigDef.ConfigKey key = entry.getValue();
      if (!first) sb.append(',');
      first = false;
      sb.append(json(key.name)).append(":{\"type\":").append(json(key.type.name()));
      if (dynamic.contains(key.name)) sb.append(",\"dynamic\":true");
      if (key.validator != null) sb.append(",\"validator\":").append(validator(key.validator));
      sb.append('}');
    }
    return sb.append("}\n").toString();
  }

  /** A validator as data the TypeScript checks interpret; unknown kinds stay opaque. */
  static String validator(ConfigDef.Validator v) throws Exception {
    String cls = v.getClass().getName();
    switch (cls) {
      case "org.apache.kafka.common.config.ConfigDef$Range":
        return "{\"kind\":\"range\",\"min\":"
            + number(field(v, "min"))
            + ",\"max\":"
            + number(field(v, "max"))
            + "}";
      case "org.apache.kafka.common.config.ConfigDef$ValidString":
        return "{\"kind\":\"in\",\"values\":" + strings((Collection<?>) field(v, "validStrings")) + "}";
      case "org.apache.kafka.common.config.ConfigDef$CaseInsensitiveValidString":
        // A HashSet: its iteration order is the order Kafka's message lists the values in.
        return "{\"kind\":\"in-ignore-case\",\"values\":"
            + strings((Collection<?>) field(v, "validStrings"))
            + "}";
      case "org.apache.kafka.common.config.ConfigDef$ValidList":
        Object validString = field(v, "validString");
        return "{\"kind\":\"list-in\",\"values\":"
            + strings((Collection<?>) field(validString, "validStrings"))
            + "}";
      case "org.apache.kafka.common.config.ConfigDef$NonEmptyString":
        return "{\"kind\":\"non-empty\"}";
      case "org.apache.kafka.common.config.ConfigDef$NonNullValidator":
        return "{\"kind\":\"non-null\"}";
      case "org.apache.kafka.common.config.ConfigDef$NonEmptyStringWithoutControlChars":
        return "{\"kind\":\"non-empty-without-control-chars\"}";
      case "org.apache.kafka.common.config.ConfigDef$CompositeValidator":
        List<String> parts = new ArrayList<>();
        for (Object inner : (List<?>) field(v, "validators")) {
          parts.add(validator((ConfigDef.Validator) inner));
        }
        return "{\"kind\":\"all\",\"validators\":[" + String.join(",", parts) + "]}";
      default:
        return "{\"kind\":\"opaque\",\"class\":"
            + json(cls)
            + ",\"description\":"
            + json(String.valueOf(v))
            + "}";
    }
  }

  static Object field(Object o, String name) throws Exception {
    Field f = o.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(o);
  }

  /** Java's own rendering of the bound (Integer 1, Long 1, Double 0.5): Kafka's messages use it. */
  static String number(Object n) {
    if (n == null) return "null";
    return "{\"type\":" + json(n.getClass().getSimpleName()) + ",\"text\":" + json(n.toString()) + "}";
  }

  static String strings(Collection<?> values) {
    List<String> out = new ArrayList<>();
    for (Object s : values) out.add(json(String.valueOf(s)));
    return "[" + String.join(",", out) + "]";
  }

  static String json(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else if (c < 0x20 || c > 0x7e) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.append('"').toString();
  }
}
