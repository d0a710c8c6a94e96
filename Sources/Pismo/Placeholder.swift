public enum PismoPlaceholder {}
