public enum PismoJSONPlaceholder {}
