import PismoJSON

extension EventValidator {
    /// The validator the settings describe: the one `pismo processor` runs and `pismo validate`
    /// checks with by default.
    public init(settings: PismoSettings) throws(SchemaError) {
        try self.init(schemaDirectory: settings.schemaDirectory, envelopePath: settings.schemaPath,
                      strictEventTypes: settings.strictEventTypes)
    }
}
